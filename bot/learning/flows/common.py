"""Small pieces several flows use."""

from __future__ import annotations

from bot.messages import Reply


def as_edit(reply: Reply) -> Reply:
    """The same screen, replacing the message whose button was pressed (a picture always comes anew)."""
    if reply.attachment is not None:
        return reply
    return Reply(reply.text, reply.buttons, reply.media, edit=True)
