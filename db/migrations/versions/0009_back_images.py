"""Which side of a card shows an image.

Anki puts images on either side: a picture to name on the front, a diagram that
explains the answer on the back. 0007 kept one list per card, so review could only show
every image at once and give the answer away. ``card.back_images`` holds the images the
answer adds; ``card.images`` keeps those of the front.

A card imported before this revision keeps all its images in ``images``: which side
they came from was not stored, so they stay where review can show them (the front).
Importing the deck again puts each image back on its own side.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("card") as batch:
        batch.add_column(
            sa.Column("back_images", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    # Going back, the answer's images join the front's again, as 0007 kept them.
    op.execute(
        "UPDATE card SET images = ("
        "SELECT json_group_array(value) FROM ("
        "SELECT value FROM json_each(card.images) "
        "UNION SELECT value FROM json_each(card.back_images)))"
        " WHERE back_images != '[]'"
    )
    with op.batch_alter_table("card") as batch:
        batch.drop_column("back_images")
