"""What every app shares: the permission map, tenancy, submission keys, the evidence in force."""
