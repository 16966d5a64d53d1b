"""Users (email login), organizations (clinic or personal space), memberships with roles, invitations."""
