"""The desktop application: Qt models, views, dialogs and background jobs over the services.

Nothing here reads the database directly: every service call runs as a job on one background
thread (``jobs.JobRunner``), and views show the frozen DTOs that the jobs return.
"""
