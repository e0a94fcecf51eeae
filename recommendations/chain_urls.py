app_name = "chain"
urlpatterns = []
