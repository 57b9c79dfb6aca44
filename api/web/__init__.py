"""The web pages for people (issue 26): server-rendered Jinja2 templates, no script of our own.

docs/web.md says how to sign in, what each role sees, and how sessions and CSRF work.
"""

from api.web.cycle import router as cycle_router
from api.web.routes import router

router.include_router(cycle_router)

__all__ = ["router"]
