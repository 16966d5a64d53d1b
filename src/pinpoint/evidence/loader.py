"""Load and validate the evidence base from ``data/*.toml``.

The loader fails loudly, naming the file, the entry and the field, on: an unknown key, a
number without its unit, an inverted range, an unknown source, zone or policy id, and an
indication depth outside its zone's range.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib
import os
import pickle
import threading
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.version import VERSION as PYDANTIC_VERSION

from pinpoint.evidence.schema import (
    AftercareItem,
    Anaesthetic,
    ContraindicationRule,
    Device,
    Indication,
    PenDevice,
    PolicyItem,
    ProcedureStep,
    RollerDevice,
    Setting,
    Source,
    Technique,
    Zone,
)

__all__ = ["DATA_DIR", "Evidence", "EvidenceError", "PolicyError", "TopicData", "load_evidence"]

DATA_DIR = Path(__file__).parent / "data"

M = TypeVar("M", bound=BaseModel)


class EvidenceError(ValueError):
    """The evidence data is inconsistent; the message names file, entry and field."""


class PolicyError(ValueError):
    """A policy override is not acceptable; ``field`` names the offending key."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc if p not in ("RollerDevice", "PenDevice", "roller", "pen"))


def _parse_entries(file: str, raw: Mapping[str, Any], model: type[M] | Any, *, adapter: bool = False) -> dict[str, M]:
    out: dict[str, M] = {}
    ta: TypeAdapter[Any] | None = TypeAdapter(model) if adapter else None
    for key, entry in raw.items():
        try:
            out[key] = ta.validate_python(entry) if ta else model.model_validate(entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = _loc(tuple(err["loc"])) or "(entry)"
            msg = f"{file}, entry '{key}', field '{where}': {err['msg']}"
            raise EvidenceError(msg) from None
    return out


def _parse_list(file: str, items: list[Any], model: type[M], label: str) -> tuple[M, ...]:
    out: list[M] = []
    for i, entry in enumerate(items):
        name = entry.get("id", f"{label}[{i}]") if isinstance(entry, dict) else f"{label}[{i}]"
        body = {k: v for k, v in entry.items() if k != "id"} if isinstance(entry, dict) else entry
        out.extend(_parse_entries(file, {name: body}, model).values())
    return tuple(out)


def _walk(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(path, model)`` for every pydantic model inside ``obj``."""
    if isinstance(obj, BaseModel):
        yield path, obj
        for name in type(obj).model_fields:
            yield from _walk(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, (tuple, list)):
        for i, item in enumerate(obj):
            yield from _walk(item, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for k, item in obj.items():
            yield from _walk(item, f"{path}.{k}")


def suggest(value: str, choices: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or an empty string.

    The closest spelling first (``pregnent``: ``pregnant``); else the one choice whose words
    start with ``value``'s words (``koebner``: ``koebner_condition``, ``sunburn``:
    ``sunburn_zones``); else nothing.
    """
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    words = [w for w in value.lower().replace("-", "_").split("_") if w]
    starting = [c for c in choices if words and c.lower().split("_")[: len(words)] == words]
    return f"; did you mean '{starting[0]}'?" if len(starting) == 1 else ""


class TopicData(Mapping[str, Any]):
    """The additional data files (``Evidence.extra``) of a cached evidence base, each unpickled when
    first read.

    A command reads one topic or none (``pinpoint coverage`` reads ``coverage``); unpickling them
    all imports every topic's schema module (hair, interop, outcomes, photos: about 25 ms of the
    command's start). Read once, a topic is kept: the same object on every read, from any thread.
    """

    def __init__(self, pickled: Mapping[str, bytes]) -> None:
        self._pickled = dict(pickled)
        self._read: dict[str, Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> TopicData:
        """``data``'s topics, each pickled on its own."""
        return cls({k: pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL) for k, v in data.items()})

    def __getitem__(self, key: str) -> Any:
        if key not in self._read:
            pickled = self._pickled[key]
            with self._lock:
                if key not in self._read:
                    self._read[key] = pickle.loads(pickled)  # noqa: S301 - pickled by TopicData.of
        return self._read[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pickled)

    def __len__(self) -> int:
        return len(self._pickled)

    def __repr__(self) -> str:
        return f"TopicData({sorted(self._pickled)})"

    def __reduce__(self) -> tuple[type[TopicData], tuple[dict[str, bytes]]]:
        return TopicData, (self._pickled,)


@dataclass(frozen=True)
class Evidence:
    """The whole validated evidence base, with the policy in force."""

    sources: dict[str, Source]
    zones: dict[str, Zone]
    indications: dict[str, Indication]
    contraindications: dict[str, ContraindicationRule]
    anaesthetics: dict[str, Anaesthetic]
    aftercare: dict[str, AftercareItem]
    devices: dict[str, RollerDevice | PenDevice]
    procedure: tuple[ProcedureStep, ...]
    technique: Technique
    policy: dict[str, PolicyItem]
    version: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def policy_value(self, key: str) -> float:
        """The value in force for policy item ``key``."""
        return self.policy[key].value

    def overridden(self) -> dict[str, PolicyItem]:
        """Policy items whose default was overridden."""
        return {k: p for k, p in self.policy.items() if p.overridden_from is not None}

    def with_policy(self, overrides: Mapping[str, Any]) -> Evidence:
        """A copy with policy ``overrides`` applied; unknown keys and out-of-bounds values raise."""
        policy = dict(self.policy)
        for key, raw in overrides.items():
            if key not in policy:
                raise PolicyError(key, f"unknown policy '{key}'{suggest(key, list(policy))}")
            item = policy[key]
            lo, hi = item.bounds
            if isinstance(raw, bool) or not isinstance(raw, (int, float)):
                raise PolicyError(key, f"policy '{key}' must be a number in {item.unit}")
            if not lo <= float(raw) <= hi:
                raise PolicyError(
                    key,
                    f"policy '{key}' = {raw:g} {item.unit} is outside the allowed {lo:g}-{hi:g} {item.unit}",
                )
            if float(raw) != item.value:
                policy[key] = item.model_copy(update={"value": float(raw), "overridden_from": item.value})
        return replace(self, policy=policy)


FILES = (
    "sources",
    "policy",
    "zones",
    "technique",
    "indications",
    "contraindications",
    "anaesthetics",
    "aftercare",
    "procedure",
    "devices",
)


def _read(data_dir: Path) -> tuple[dict[str, dict[str, Any]], str]:
    raw: dict[str, dict[str, Any]] = {}
    digest = hashlib.sha256()
    for path in sorted(data_dir.glob("*.toml")):
        blob = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + blob)
        try:
            raw[path.stem] = tomllib.loads(blob.decode("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            msg = f"{path.name}: {exc}"
            raise EvidenceError(msg) from None
    for name in FILES:
        if name not in raw:
            msg = f"{name}.toml is missing from {data_dir}"
            raise EvidenceError(msg)
    return raw, digest.hexdigest()[:12]


def _check_refs(ev: Evidence) -> None:
    """Cross-reference checks: sources, zones, policy ids, depth consistency."""
    tables: dict[str, Mapping[str, Any]] = {
        "zones": ev.zones,
        "indications": ev.indications,
        "contraindications": ev.contraindications,
        "anaesthetics": ev.anaesthetics,
        "aftercare": ev.aftercare,
        "devices": ev.devices,
        "policy": ev.policy,
        "technique": {"technique": ev.technique},
        "procedure": {f"step[{i}]": s for i, s in enumerate(ev.procedure)},
    }
    tables.update({stem: {stem: data} for stem, data in ev.extra.items()})
    for file, entries in tables.items():
        for key, entry in entries.items():
            _check_entry(ev, file, key, entry)
    _check_adjacency(ev)
    _check_setting_devices(ev)
    cap = ev.policy_value("home_depth_cap_mm")
    for key, ind in ev.indications.items():
        for rule in ind.depth:
            for z in rule.zones:
                zr = ev.zones[z].depth_mm
                where = f"indications.toml, entry '{key}', field 'depth'"
                if z not in ind.zones:
                    raise EvidenceError(f"{where}: zone '{z}' is not among the indication's zones")
                if zr is None:
                    raise EvidenceError(f"{where}: zone '{z}' has no needle depth range")
                if rule.depth_mm.min < zr.min or rule.depth_mm.max > zr.max:
                    raise EvidenceError(
                        f"{where}: {rule.depth_mm.min:g}-{rule.depth_mm.max:g} mm on '{z}' is "
                        f"outside the zone's {zr.min:g}-{zr.max:g} mm"
                    )
                if rule.setting == "home" and rule.depth_mm.max > cap:
                    raise EvidenceError(f"{where}: home depth {rule.depth_mm.max:g} mm exceeds the home cap {cap:g} mm")


def _inside(ev: Evidence, zone: str) -> set[str]:
    seen, stack = {zone}, [zone]
    while stack:
        for part in ev.zones[stack.pop()].parts:
            if part in ev.zones and part not in seen:
                seen.add(part)
                stack.append(part)
    return seen


def _check_adjacency(ev: Evidence) -> None:
    """Zone adjacency: known ids (checked with the other zone ids), symmetric, never a zone's own part or whole."""
    for key, zone in ev.zones.items():
        where = f"zones.toml, entry '{key}', field 'adjacent'"
        for other in zone.adjacent:
            if other in _inside(ev, key) or key in _inside(ev, other):
                raise EvidenceError(f"{where}: '{other}' is {key}'s own part or whole, not a neighbour")
            if key not in ev.zones[other].adjacent:
                raise EvidenceError(f"{where}: '{other}' is listed, but '{other}' does not list '{key}' back")


def _check_setting_devices(ev: Evidence) -> None:
    """Every setting has exactly one ``setting_devices`` entry (its device rules and default kind),
    and no device lists a setting that takes only sterile single-use units unless it is one."""
    for setting in get_args(Setting):
        n = sum(r.setting == setting for r in ev.technique.setting_devices)
        if n != 1:
            msg = f"technique.toml, field 'setting_devices': setting '{setting}' has {n} entries, needs exactly one"
            raise EvidenceError(msg)
    sterile_only = {r.setting for r in ev.technique.setting_devices if r.sterile_single_use}
    for key, device in ev.devices.items():
        for setting in sterile_only & set(device.settings):
            if device.reuse != "single-use" or not device.sterile:
                raise EvidenceError(
                    f"devices.toml, entry '{key}', field 'settings': '{setting}' takes only sterile single-use "
                    f"units (technique.toml, setting_devices), and this device is {device.reuse}"
                    f"{'' if device.sterile else ', not sterile'}"
                )


def _check_entry(ev: Evidence, file: str, key: str, entry: Any) -> None:
    for path, model in _walk(entry, ""):
        where = f"{file}.toml, entry '{key}', field '{path or '(entry)'}'"
        for sid in getattr(model, "sources", ()) or ():
            if sid not in ev.sources:
                raise EvidenceError(f"{where}: unknown source id '{sid}'{suggest(sid, list(ev.sources))}")
        for name in ("zones", "parts", "adjacent"):
            for z in getattr(model, name, ()) if name in type(model).model_fields else ():
                if z not in ev.zones:
                    at = f"{file}.toml, entry '{key}', field '{f'{path}.' if path else ''}{name}'"
                    raise EvidenceError(f"{at}: unknown zone id '{z}'{suggest(z, list(ev.zones))}")
        for name in ("washout_policy", "reassess_policy", "below_years_policy", "angle_policy"):
            pid = getattr(model, name, None)
            if pid is not None and pid not in ev.policy:
                raise EvidenceError(f"{where}: unknown policy id '{pid}'")


def _parse_extra(stem: str, raw: dict[str, Any]) -> Any:
    """Validate an additional data file ``stem.toml`` with ``pinpoint.evidence.schema_<stem>.Data``.

    Topic modules (coverage physics, hair cycles) keep their schema beside their data this way;
    the source-id and zone-id checks of :func:`_check_refs` apply to them as to the core files.
    """
    try:
        module = importlib.import_module(f"pinpoint.evidence.schema_{stem}")
    except ModuleNotFoundError:
        msg = f"{stem}.toml has no schema module pinpoint.evidence.schema_{stem}"
        raise EvidenceError(msg) from None
    model: type[BaseModel] = module.Data
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        entry = str(loc[0]) if loc else "(file)"
        where = _loc(loc[1:]) or "(entry)"
        msg = f"{stem}.toml, entry '{entry}', field '{where}': {err['msg']}"
        raise EvidenceError(msg) from None


def load_from(data_dir: Path) -> Evidence:
    """Load and validate the evidence base in ``data_dir`` (no caching)."""
    raw, version = _read(data_dir)
    tech: dict[str, Technique] = _parse_entries("technique.toml", {"technique": raw["technique"]}, Technique)
    procedure = _parse_list("procedure.toml", raw["procedure"].get("step", []), ProcedureStep, "step")
    ev = Evidence(
        sources=_parse_entries("sources.toml", raw["sources"], Source),
        policy=_parse_entries("policy.toml", raw["policy"], PolicyItem),
        zones=_parse_entries("zones.toml", raw["zones"], Zone),
        indications=_parse_entries("indications.toml", raw["indications"], Indication),
        contraindications=_parse_entries("contraindications.toml", raw["contraindications"], ContraindicationRule),
        anaesthetics=_parse_entries("anaesthetics.toml", raw["anaesthetics"], Anaesthetic),
        aftercare=_parse_entries("aftercare.toml", raw["aftercare"], AftercareItem),
        devices=_parse_entries("devices.toml", raw["devices"], Device, adapter=True),
        procedure=procedure,
        technique=tech["technique"],
        version=version,
        extra={k: _parse_extra(k, v) for k, v in raw.items() if k not in FILES},
    )
    _check_refs(ev)
    return ev


def _fingerprint(data_dir: Path) -> str:
    """Hash of the data files and of the code that validates them (the cache key)."""
    digest = hashlib.sha256(PYDANTIC_VERSION.encode())
    code = Path(__file__).parent
    for path in (*sorted(data_dir.glob("*.toml")), *sorted(code.glob("*.py"))):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _cache_dir() -> Path | None:
    if os.environ.get("PINPOINT_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pinpoint"


@lru_cache(maxsize=1)
def load_evidence() -> Evidence:
    """The packaged evidence base, validated once per process (``load_evidence.cache_clear()`` resets).

    The validated result is kept in the user's cache directory, keyed by a hash of the data
    files and the validating code, so a new process skips re-validation when nothing changed
    (``PINPOINT_NO_CACHE=1`` turns this off); from the cache, each topic of ``extra`` is unpickled
    when first read (:class:`TopicData`). Any problem with the cache falls back to a full load.
    """
    cache = _cache_dir()
    target = cache / f"evidence-{_fingerprint(DATA_DIR)}.pickle" if cache else None
    if target is not None and target.is_file():
        try:
            with target.open("rb") as fh:
                cached = pickle.load(fh)  # noqa: S301 - written by this function in the user's own cache
            if isinstance(cached, Evidence):
                return cached
        except Exception:  # noqa: BLE001, S110 - a broken cache only costs a full load
            pass
    ev = load_from(DATA_DIR)
    if target is not None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            cached_ev = replace(ev, extra=TopicData.of(ev.extra))  # topics unpickled when read
            tmp.write_bytes(pickle.dumps(cached_ev, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(target)
        except OSError:
            pass
    return ev
