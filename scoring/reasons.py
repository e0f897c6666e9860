"""How a stored score's reasons read as text; every page, the API and the CSV call this."""


def reason_texts(reasons) -> list[str]:
    """The readable sentence of each stored reason ([{"text": ...}] or plain strings)."""
    texts = []
    for reason in reasons or []:
        text = reason.get("text") if isinstance(reason, dict) else reason
        if text:
            texts.append(str(text))
    return texts
