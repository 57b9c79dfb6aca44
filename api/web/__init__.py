"""The web pages for people (issue 26): server-rendered Jinja2 templates, no script of our own.

docs/web.md says how to sign in, what each role sees, and how sessions and CSRF work.
"""

from api.web.figures import router as figures_router
from api.web.routes import router

router.include_router(figures_router)

__all__ = ["router"]
