from tests.documents.conftest import staff  # noqa: F401 - the support-office user fixture
from tests.payments.conftest import webhook_secret  # noqa: F401 - autouse: the gateway's signing secret
