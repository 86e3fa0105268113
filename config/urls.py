from django.contrib import admin
from django.urls import include, path, re_path

from chukai.api import api_not_found, api_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api_urls()),
    re_path(r"^api/", api_not_found),  # unknown API paths answer a problem, not an HTML page
    path("", include("chukai.web.urls")),
]
