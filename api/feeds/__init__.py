"""Calendar feeds: iCalendar rendering, HTTP conditional requests, static export."""
