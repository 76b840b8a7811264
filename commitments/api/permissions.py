"""Who may do what through the API.

Reading: the register's one read rule (`commitments.access.may_read`).
Writing: the user's Django model permissions (the Analyst role has them, the Viewer role does
not), and, for a token client, a read-write token: a token narrows its user's rights, never
widens them."""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext
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
            self.message = gettext("This token is read-only: writing needs a read-write token.")
            return False
        required = self.required_for(request, view)
        load_permissions(user)
        if not user.has_perms(required):
            self.message = gettext("Your account lacks the permission for this change: %(permissions)s.") % {
                "permissions": ", ".join(required)
            }
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


def load_permissions(user) -> None:
    """Read the user's permissions, their own and their groups', in one query (a UNION) where
    `ModelBackend` takes two, and leave them where `ModelBackend.get_all_permissions` looks first
    (`_perm_cache`, for the user object of this request only). Active superusers have every
    permission without a query, and inactive users none: nothing to load for either."""
    if not user.is_active or user.is_superuser or hasattr(user, "_perm_cache"):
        return
    # What ModelBackend._get_user_permissions and _get_group_permissions select.
    in_groups = {f"group__{user._meta.get_field('groups').related_query_name()}": user}
    own = Permission.objects.filter(user=user).values_list("content_type__app_label", "codename").order_by()
    grouped = Permission.objects.filter(**in_groups).values_list("content_type__app_label", "codename").order_by()
    user._perm_cache = {f"{app}.{codename}" for app, codename in own.union(grouped)}
