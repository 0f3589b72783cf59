from django.urls import path

from blocking import views

app_name = "blocking"

urlpatterns = [
    path("", views.blocked_list, name="list"),
    path("<int:customer_id>/block/", views.block, name="block"),
    path("<int:customer_id>/unblock/", views.unblock, name="unblock"),
]
