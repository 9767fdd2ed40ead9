"""Small closed word lists used by the shape features (stopwords, second-person address)."""

from __future__ import annotations

STOPWORDS = {
    "en": frozenset(
        """a about above after again against all also am an and any are as at be because been
        before being below between both but by can could did do does doing down during each
        few for from further had has have having he her here hers herself him himself his how
        i if in into is it its itself just me more most my myself no nor not now of off on once
        only or other our ours ourselves out over own same she should so some such than that the
        their theirs them themselves then there these they this those through to too under until
        up very was we were what when where which while who whom why will with would you your
        yours yourself yourselves said says after its one two new last first since still""".split()
    ),
    "es": frozenset(
        """a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
        durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba
        estaban estado estar estas este esto estos fue fueron ha habia había han hasta hay la las
        le les lo los mas más me mi mientras muy nada ni no nos nosotros o os otra otro otros para
        pero poco por porque que qué quien se sea sido sin sobre son su sus también tanto te tiene
        tienen todo todos tras tu tú un una uno unos y ya yo según así aunque cuyo dijo afirmó
        año años ser será sería fue había tras sino pues hace desde""".split()
    ),
}
STOPWORDS_ANY = STOPWORDS["en"] | STOPWORDS["es"]

# Notices address the reader; articles mostly do not (quotes aside).
SECOND_PERSON = frozenset(
    """you your yours yourself yourselves you're you've you'll
    tu tú tus te ti contigo tuyo tuya usted ustedes vos os vosotros vosotras vuestro vuestra
    vuestros vuestras""".split()
)
