"""The web pages for people (issue 26): server-rendered Jinja2 templates and a few small
scripts of our own (api/web/static), no build step.

docs/web.md says how to sign in, what each role sees, and how sessions and CSRF work.
"""

from api.web.company import router as company_router
from api.web.cycle import router as cycle_router
from api.web.figures import router as figures_router
from api.web.routes import router
from api.web.school import router as school_router
from api.web.sessions import router as sessions_router
from api.web.trainer import router as trainer_router

router.include_router(company_router)
router.include_router(cycle_router)
router.include_router(figures_router)
router.include_router(school_router)
router.include_router(sessions_router)
router.include_router(trainer_router)

__all__ = ["router"]
