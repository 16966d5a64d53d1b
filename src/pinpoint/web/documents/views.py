"""The "Print / PDF" links: the same permission and tenant scoping as the record's page, the view audited."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from pinpoint.core.errors import InputError
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.documents.render import DocumentNotFoundError, DocumentUnavailableError, render_pdf

__all__ = ["document"]


@page(Perm.CLIENT_VIEW)
def document(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The PDF of document ``kind`` of record ``pk``; ``?size=letter`` for US Letter (default A4)."""
    actor = actor_of(request)
    size = request.GET.get("size", "a4")
    try:
        pdf = render_pdf(actor, kind, pk, size)
    except DocumentNotFoundError:
        raise Http404 from None
    except DocumentUnavailableError as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    except InputError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-{pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
