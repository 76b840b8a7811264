"""Who may do what through the API.

Reading: the register's one read rule (`commitments.access.may_read`).
Writing: the user's Django model permissions (the Analyst role has them, the Viewer role does
not), and, for a token client, a read-write token: a token narrows its user's rights, never
widens them."""

from rest_framework import permissions

from ..access import may_read
from ..models import ApiToken


class ApiPermission(permissions.DjangoModelPermissions):
    def has_permission(self, request, view):
        user = request.user
        if getattr(view, request.method.lower(), None) is None:
            return True  # the view does not offer this method: let it answer 405, whoever asks
        if request.method in permissions.SAFE_METHODS:
            return may_read(user)
        if not (user and user.is_authenticated):
            return False
        if isinstance(request.auth, ApiToken) and not request.auth.can_write:
            self.message = "This token is read-only: writing needs a read-write token."
            return False
        required = self.required_for(request, view)
        if not user.has_perms(required):
            self.message = "Your account lacks the permission for this change: " + ", ".join(required) + "."
            return False
        return True

    def required_for(self, request, view) -> list[str]:
        # An action may name its own permissions (a status change is a change, though it is a POST).
        per_action = getattr(view, "required_permissions", {})
        action = getattr(view, "action", None)
        if action in per_action:
            return list(per_action[action])
        queryset = self._queryset(view)
        return self.get_required_permissions(request.method, queryset.model)
