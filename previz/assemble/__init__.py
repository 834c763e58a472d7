"""Assembly: a rendered shot plan into deliverables (animatic MP4, storyboard PDF, timeline)."""
