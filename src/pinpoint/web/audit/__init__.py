"""The audit trail: what each action changed and who viewed which client record, when."""
