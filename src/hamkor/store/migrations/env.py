from alembic import context

from hamkor.store.models import Base

config = context.config
engine = config.attributes["engine"]
# A restore migrates inside its own transaction (on PostgreSQL DDL is transactional: a restore that fails
# leaves no table behind); then Alembic neither begins nor commits.
given = config.attributes.get("connection")


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    )
    with context.begin_transaction():
        context.run_migrations()


if given is not None:
    run(given)
else:
    with engine.connect() as connection:
        run(connection)
        connection.commit()
