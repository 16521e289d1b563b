"""alembic environment: runs migrations on the connection it is given."""

from alembic import context

from tacker.db import models

target_metadata = models.BASE.metadata


def run_migrations_online():
    connection = context.config.attributes.get('connection')
    if connection is None:
        raise RuntimeError('tacker migrations run through tacker-db-manage, '
                           'which provides the database connection')
    context.configure(connection=connection,
                      target_metadata=target_metadata,
                      render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
