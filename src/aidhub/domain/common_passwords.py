"""Passwords long enough for the length rule but guessed first by anyone trying: keyboard
walks, counting, words people are told to use, the names of the organisations and tools
around a hub. Compared in lower case, with spaces removed. A small offline list, kept in
the code so that a hub without internet checks it too."""

import itertools

_WORDS = """
123456789012 1234567890123 12345678901234 123456123456 123123123123 112233445566
111111111111 000000000000 999999999999 121212121212 987654321098 098765432109
qwertyuiop12 qwertyuiop123 qwertyuiopas qwerty123456 qwerty1234567 qwertyqwerty
azertyuiop12 1q2w3e4r5t6y 1qaz2wsx3edc zaq12wsxcde3 asdfghjkl123 zxcvbnm12345
abcdefghijkl abcdefghijklm abc123abc123 abcd1234abcd aaaaaaaaaaaa a1b2c3d4e5f6
password1234 password12345 password123456 passwordpassword p@ssw0rd1234 passw0rd1234
p@ssword1234 mypassword12 mypassword123 newpassword1 newpassword12 changeme1234
changemenow1 letmein12345 letmeinplease welcome12345 welcome123456 welcometo2026
administrator administrator1 admin1234567 adminadmin12 rootroot1234 useruser1234
iloveyou1234 iloveyou12345 sunshine1234 princess1234 football1234 baseball1234
superman1234 batman123456 monkey123456 dragon123456 shadow123456 master123456
trustno1trustno1 starwars1234 pokemon12345 liverpool123 chelsea12345 arsenal12345
secret123456 secretpassword thisismypassword correcthorsebatterystaple
humanitarian humanitarian1 humanitarian123 unitednations unitednations1
worldfoodprogramme wfpwfpwfpwfp unicef123456 redcrescent1 redcrescent123
aidhub123456 aidhubaidhub aidhubpassword hubmanager123
warehouse123 logistics123 logistics1234 syria1234567 damascus1234 aleppo123456
summer202626 winter202626 spring202626 autumn202626 january20262 december2026
"""
COMMON = frozenset(_WORDS.split())


def is_common(password: str) -> bool:
    """Whether ``password`` is on the list, or is one character repeated, or counts."""
    text = "".join(password.lower().split())
    if text in COMMON or len(set(text)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(text)}
    return steps in ({1}, {-1})
