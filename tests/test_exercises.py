from course_utils.exercises import Test, passed, run_check


def test_all_passing(capsys):
    run_check("Ex A", [Test("one is one", lambda: 1 == 1, "never shown")])
    out = capsys.readouterr().out
    assert "✔ one is one" in out and "all 1 checks passed" in out and passed("Ex A")


def test_first_failure_prints_its_hint_and_stops(capsys):
    run_check("Ex B", [Test("ok", lambda: True, "h0"), Test("bad", lambda: False, "try doubling"),
                       Test("never", lambda: True, "h2")])
    out = capsys.readouterr().out
    assert "✘ Ex B: bad" in out and "Hint: try doubling" in out and "never" not in out
    assert not passed("Ex B")


def test_not_attempted(capsys):
    def todo():
        raise NotImplementedError

    run_check("Ex C", [Test("x", todo, "h")])
    assert "not attempted yet" in capsys.readouterr().out and not passed("Ex C")


def test_learner_bug_becomes_hint_not_traceback(capsys):
    run_check("Ex D", [Test("x", lambda: 1 / 0, "check your division")])
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "check your division" in out
