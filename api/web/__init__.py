"""The web pages for people (issue 26): server-rendered Jinja2 templates, no script of our own.

docs/web.md says how to sign in, what each role sees, and how sessions and CSRF work.
"""

from api.web import school, trainer
from api.web.routes import router

router.include_router(school.router)  # the school's groups and requests
router.include_router(trainer.router)  # the trainer's absences

__all__ = ["router"]
