"""Maintainers' tools: what sets up, checks and measures the course, kept apart from the chapters' code.

- notebooks  notebook pairs: sync, hygiene, expected outputs, execution (`python -m course_utils.tools.notebooks`)
- student    the student versions: solutions removed, checks kept (`python -m course_utils.tools.student`)
- timings    the instructor guide's and the README's timing tables (`python -m course_utils.tools.timings guide`)
"""
