doomed line 1
doomed line 2
