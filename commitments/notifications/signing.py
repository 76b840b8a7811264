"""Standard Webhooks signatures (https://www.standardwebhooks.com/), made by the scheme's reference
library: `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,` and the base64 HMAC-SHA256
of "id.timestamp.body" under the secret)."""

import datetime

from standardwebhooks.webhooks import Webhook as Signer


def headers(secret: str, event_id: str, body: str, at: datetime.datetime) -> dict[str, str]:
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Signer(secret).sign(msg_id=event_id, timestamp=at, data=body),
    }
