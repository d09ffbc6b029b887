// A branch to itself: only the step budget (--max-steps) ends it.
1:	b	1b
