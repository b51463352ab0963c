"""An account's API token ends with its password: any change of password revokes the token.

A script holding a token keeps the account's power without the password, so whoever changes a
password because it leaked must be sure that tokens obtained with the old one stop working too
(sessions already end: Django signs every other session out when the password hash changes).
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token


def revoke(user) -> int:
    """Delete the user's API token, if there is one; how many were deleted."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


class RevokeTokenOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for Django's `password_changed` hook; it judges no password.

    Django calls `password_changed` on every configured validator when it saves a user whose password
    was set with set_password(): the password-change page, the reset-by-email form, the admin's
    password form, `manage.py changepassword`, and any code that calls set_password() and save(). It
    does not call it when sign-in merely re-hashes an unchanged password (a stronger hasher, more
    iterations after an upgrade), which must not cut off every script. No signal says "the password
    changed"; this hook is Django's own way of saying exactly that.
    """

    def validate(self, password: str, user=None) -> None:
        return None

    def password_changed(self, password: str, user=None) -> None:
        if user is not None and user.pk is not None:
            revoke(user)

    def get_help_text(self) -> str:
        return "Whenever this password changes, your other sessions end and your API token is revoked."


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts.revoke_token_without_password")
def revoke_token_without_password(sender, instance, update_fields=None, **kwargs) -> None:
    """The admin's "disable password-based authentication" sets no password, so it needs its own check."""
    if (update_fields is None or "password" in update_fields) and not instance.has_usable_password():
        revoke(instance)
