from .access import can_download_portfolio


def portfolio_access(request) -> dict:
    """For the admin index's "Download the portfolio workbook" link."""
    user = getattr(request, "user", None)
    return {
        "can_download_portfolio": bool(
            user and user.is_authenticated and can_download_portfolio(user)
        )
    }
