"""The web pages for people (issue 26): server-rendered Jinja2 templates, no script of our own.

docs/web.md says how to sign in, what each role sees, and how sessions and CSRF work.
"""

from api.web.company import router as company_router
from api.web.routes import router

router.include_router(company_router)

__all__ = ["router"]
