old name content
kept line
