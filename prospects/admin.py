"""Django admin: each domain registers its own models; importing them here is what loads them."""

from .alerts import admin as alerts_admin
from .crm import admin as crm_admin
from .identify import admin as identify_admin
from .visits import admin as visits_admin

__all__ = ["alerts_admin", "crm_admin", "identify_admin", "visits_admin"]
