"""The web pages for people (issue 26): server-rendered Jinja2 templates, no script of our own.

docs/web.md says how to sign in, what each role sees, and how sessions and CSRF work.
"""

from api.web.routes import router
from api.web.sessions import router as sessions_router

router.include_router(sessions_router)

__all__ = ["router"]
