"""Look-ups from VNFD ids to onboarded VNF packages."""

import sqlalchemy as sa

from tacker.db import api as db_api
from tacker.db.models import v1 as models


def packages_for_vnfds(vnfd_ids):
    """``{vnfd_id: package id}`` of live, onboarded packages (one query)."""
    p, d = models.VnfPackage, models.VnfPackageVnfd
    query = (sa.select(d.vnfd_id, d.package_uuid)
             .join(p, p.id == d.package_uuid)
             .where(d.vnfd_id.in_(list(vnfd_ids)), d.deleted == '0',
                    models.live(p.deleted), p.onboarding_state == 'ONBOARDED')
             .order_by(d.created_at))
    with db_api.reader_session() as session:
        return {row.vnfd_id: row.package_uuid
                for row in session.execute(query)}
