"""Files people take away: chart images, chart data, briefing packs and the committee report."""
