"""TAP output for the Python tests: ok(), then done() prints the plan."""
import sys

_count = 0
_failed = 0


def ok(cond, name, detail=None):
    """Report one result; print 'detail' as a TAP comment when it fails."""
    global _count, _failed
    _count += 1
    if not cond:
        _failed += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', _count, name))
    if not cond and detail is not None:
        for line in str(detail).splitlines():
            print('# ' + line)
    sys.stdout.flush()
    return cond


def bail(reason):
    print('Bail out! ' + reason)
    sys.exit(1)


def done():
    print('1..%d' % _count)
    sys.exit(1 if _failed else 0)
