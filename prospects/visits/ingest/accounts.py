"""Which paths are a site's account pages: sign-in, registration, password reset, admin.

A visitor whose every request goes to these pages reads nothing of the site: a customer or a
member of staff signing in, or a script trying passwords or registering accounts (the
hackers-only log's `/login_form`, `/join_form`, Plone's `.../require_login`). Neither is a
prospect, so the behaviour rules give such a visitor a class of its own. A path is an account
page when its first or last segment, lowered, with `_` read as `-` and a file extension
dropped, is one of SIGN_IN_SEGMENTS (`/users/sign_in`, `/wp-login.php`, `/register/step-2`),
or its first is one of ADMIN_SEGMENTS (`/wp-admin/post.php`). So neither an article such as
`/blog/how-to-register-a-domain` nor a manual's page like `/docs/admin/roles` (the demo's
customers read it) is one.
"""

import re

SIGN_IN_SEGMENTS = frozenset(
    [
        "login",
        "log-in",
        "logon",
        "signin",
        "sign-in",
        "login-form",
        "require-login",
        "logout",
        "log-out",
        "signout",
        "sign-out",
        "signup",
        "sign-up",
        "register",
        "registration",
        "join-form",
        "password-reset",
        "reset-password",
        "forgot-password",
        "lost-password",
        "lostpassword",
        "mail-password-form",
        "wp-login",
        "xmlrpc",
    ]
)
ADMIN_SEGMENTS = frozenset(["admin", "wp-admin", "administrator"])
_EXTENSION = re.compile(r"\.(?:php|aspx?|jsp|html?|cgi|pl)$")
# Answers per normalised path, read inline by the behaviour rules (every line); past this many
# it is emptied (flat memory).
CACHE_LIMIT = 100_000
cache: dict[str, bool] = {}


def is_account_path(path: str) -> bool:
    """Whether a normalised path (no query) is a sign-in, registration or admin page."""
    found = cache.get(path)
    if found is None:
        segments = [_word(segment) for segment in path.split("/") if segment] or [""]
        found = (
            segments[0] in SIGN_IN_SEGMENTS
            or segments[-1] in SIGN_IN_SEGMENTS
            or segments[0] in ADMIN_SEGMENTS
        )
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[path] = found
    return found


def _word(segment: str) -> str:
    return _EXTENSION.sub("", segment.lower().replace("_", "-"))
