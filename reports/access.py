from alliances.access import is_head, sees_portfolio


def can_write_status_report(user, alliance) -> bool:
    """The alliance's lead, its members and the head write its reports."""
    if is_head(user) or alliance.lead_id == user.pk:
        return True
    return alliance.memberships.filter(user=user).exists()


def can_download_portfolio(user) -> bool:
    return sees_portfolio(user)
