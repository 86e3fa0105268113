from django.contrib import admin

from chukai.admin_readonly import ReadOnlyAdmin
from chukai.marketplace.models import Job, Proposal

admin.site.register([Job, Proposal], ReadOnlyAdmin)
