"""Money is integer fen (分) everywhere; these helpers only format and check it."""

FEN_PER_YUAN = 100


def format_yuan(fen: int | None) -> str:
    """1234500 -> '12,345.00'."""
    if fen is None:
        return "面议"
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{yuan:,}.{cents:02d}"


def format_wan(fen: int) -> str:
    """Large amounts the way Chinese reports print them: 万元 or 亿元."""
    yuan = fen / FEN_PER_YUAN
    if abs(yuan) >= 100_000_000:
        return f"{yuan / 100_000_000:.2f} 亿元"
    return f"{yuan / 10_000:.2f} 万元"
