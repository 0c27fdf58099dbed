"""Marketing dispatch (every minute): each queued campaign is claimed by one run and sent
to the users of the sparse marketing index (never a Scan of users)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.consent import campaigns, operations
from chalicelib.consent import repository as stores


def run(now: datetime) -> dict[str, int]:
    totals = {"campaigns": 0, "recipients": 0, "sent": 0}
    for campaign_id in stores.queued_campaigns():
        campaign = stores.claim_campaign(campaign_id)
        if campaign is None:  # another run took it
            continue
        audience = operations.repository.marketing_audience()
        outcomes = [campaigns.send_to(campaign, user_id, now) for user_id in audience]
        delivered = [outcome for outcome in outcomes if outcome is not None]
        stores.finish_campaign(campaign, len(delivered), sum(delivered), now)
        totals["campaigns"] += 1
        totals["recipients"] += len(delivered)
        totals["sent"] += sum(delivered)
    return totals
