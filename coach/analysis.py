"""Deterministic answer analysis: no model, the same answer always gives the same facts.

The flag vocabulary is shared by the CLI, the page and the tests:
missing_situation, missing_task, missing_action, missing_result, filler_heavy,
too_short, too_long, no_numbers, off_topic, blames_others, self_blame, hedging.

STAR flags and ``no_numbers`` apply only to behavioral questions (those that
ask for a real past example); a hypothetical, motivation or technical question
is not marked down for lacking a result. ``off_topic`` needs a relevance score
(embedding similarity of question and answer), computed by the caller.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

FLAGS = (
    "missing_situation",
    "missing_task",
    "missing_action",
    "missing_result",
    "filler_heavy",
    "too_short",
    "too_long",
    "no_numbers",
    "off_topic",
    "blames_others",
    "self_blame",
    "hedging",
)

MIN_WORDS = 40
MAX_WORDS = 350
FILLER_MIN_COUNT = 3
FILLER_MIN_RATE = 3.0  # per 100 words
HEDGE_MIN_COUNT = 2
STAR_PRESENT = 0.5
# Below this question/answer similarity an answer is off topic (calibrated on
# tests/data/analysis_cases.jsonl; see README, 'Answer analysis').
OFF_TOPIC_BELOW = 0.12

WORD = re.compile(r"[A-Za-z0-9']+")

BEHAVIORAL = re.compile(
    r"tell (me|us) about (a|an|one) (time|situation|occasion|moment|project|mistake|failure|conflict|decision)"
    r"|describe (a|an|one) (time|situation|occasion|moment|project|challenge|mistake|conflict)"
    r"|give (me |us )?(an|one|a specific) example"
    r"|walk (me|us) through (a|an|one) (time|situation|project)"
    r"|share (an?|one) (example|experience|story)"
    r"|talk (me |us )?(about|through) (a|an|one) (time|situation)"
    r"|(recall|think of) a time"
    r"|a time (when|you)"
    r"|(accomplishment|achievement)s? (you('re| are)|that you('re| are)) (most )?proud"
    r"|(greatest|biggest|proudest) (accomplishment|achievement)"
    r"|have you ever (had|been|made|dealt|handled|worked|led|disagreed|failed)"
    r"|what did you do when",
    re.I,
)

FILLERS = {
    "um": r"\bu+m+\b|\bu+h*m+\b",
    "uh": r"\bu+h+\b",
    "er": r"\b(er|erm)\b",
    "like": r"(?:,\s*like\b(?!\s+(?:a|an|the|this|that|these|those|to|it|him|her|them|me|us)\b))|(?:\blike,)",
    "you know": r"\byou know\b(?=\s*[,.!?])|,\s*you know\b",
    "basically": r"\bbasically\b",
    "literally": r"\bliterally\b",
    "i mean": r"\bi mean\b(?=\s*[,.])",
    "so yeah": r"\bso,? yeah\b",
}

HEDGES = {
    "i guess": r"\bi guess\b",
    "maybe": r"\bmaybe\b",
    "sort of": r"\bsort of\b",
    "kind of": r"(?<!what )(?<!the )(?<!this )(?<!that )(?<!any )(?<!a )(?<!same )\bkind of\b(?! (person|thing|work|role|job|team|place|environment|company|problem|question)s?\b)",
    "i suppose": r"\bi suppose\b",
    "probably": r"\bprobably\b",
    "perhaps": r"\bperhaps\b",
    "i'm not sure": r"\bi'?m not (really |totally |entirely |100% )?sure\b",
    "hopefully": r"\bhopefully\b",
    "i don't know": r"\bi (don'?t|do not) (really )?know\b(?! (how|what|why|where|when|who|if|whether|the|about|anyone|anything|enough))|\bi don'?t know\b(?=[,.])",
}

OTHERS = (
    r"(?:the |my |our |their |that |this )?(?:[\w']+ ){0,2}?(?:interviewers?|panel|hiring managers?|recruiters?|managers?|boss|supervisors?|"
    r"co-?workers?|colleagues?|teammates?|team|clients?|customers?|company|hr|contractors?|vendors?|suppliers?|directors?|staff|"
    r"department|they|he|she)"
)
BLAME = [
    rf"\b{OTHERS}\b[^.!?]{{0,40}}\b(fault|to blame)\b",
    r"\b(their|his|her|its)\s+fault\b",
    r"(?<!my )(?<!my own )\b(?!my\b)[\w-]+'s fault\b",
    rf"\b{OTHERS}\b (kept|keep|keeps|always|constantly|never stopped) (missing|ignoring|changing|leaving|messing|losing|breaking|forgetting|interrupting)\b",
    r"\btakes? (the )?credit for (my|our)\b|\bblames? (us|me) (for|when)\b",
    r"\b(my|the|our) (\w+ )?(manager|boss|team|company|coworkers?|colleagues?|interviewer|panel) (is|was|are|were) the (main |whole |only |real )?(reason|problem)\b",
    r"\b(feedback|decision|review|appraisal|rating|process|interview|assessment) was (completely |totally |so |really |just )?unfair\b",
    r"\bnothing (more )?(i|anyone|we)( on my side| else)? could (have|'ve) done\b",
    r"\bit was (all |entirely |totally |completely )?(their|his|her|the \w+'?s?) fault\b",
    r"(?<!don't )(?<!not )\bblame[sd]?\s+(the|my|them|him|her|our)\b",
    rf"\b{OTHERS}\b[^.!?]{{0,50}}\b(was|were|is|are) (so |really |just |completely |totally |incredibly )?(rude|unfair|hostile|unprofessional|awful|biased|dismissive|condescending|incompetent|clueless|useless|disorganised|disorganized|lazy|impossible to (please|work with)|a nightmare)\b",
    r"\b(didn'?t|did not|never) (even )?(give|gave|let) me (a|any) (fair |real )?(chance|shot)\b",
    rf"\b{OTHERS}\b[^.!?]{{0,30}}\b(messed|screwed|ruined|botched|blew)\b",
    r"\b(set me up to fail|threw me under the bus|sabotaged|made me look bad)\b",
    r"\bbecause (of )?(the interviewer|the panel|my manager|my boss|my coworker|my colleague|my team|they|them)\b[^.!?]{0,40}\b(rude|unfair|didn'?t|never|wouldn'?t|refused|failed)\b",
    r"\b(the )?(questions were|they asked) (stupid|unfair|ridiculous|irrelevant|trick)\b",
    r"\bnot my fault\b",
]
SELF_BLAME = [
    r"\bi'?m (such )?(a|an|a complete|a total|an absolute) (failure|idiot|loser|disaster|fraud|joke|mess)\b",
    r"\bi am (such )?(a|an|a complete|a total) (failure|idiot|loser|disaster|fraud|joke|mess)\b",
    r"\bi'?m (so |such |really |just |completely |totally )?(stupid|useless|hopeless|worthless|pathetic|dumb|incompetent|not good enough)\b",
    r"\bi am (so |really |just |completely |totally )?(stupid|useless|hopeless|worthless|pathetic|dumb|incompetent|not good enough)\b",
    r"\bi (always|ruin|mess up|screw up) (ruin|mess|screw|blow|fail|get)\w*\b|\bi always (ruin|mess|screw|blow|fail)\w*\b|\bi ruin everything\b",
    r"\bi'?ll never (get|find|land|be|make|pass)\b",
    r"\bi will never (get|find|land|be|make|pass)\b",
    r"\bwhat'?s wrong with me\b|\bi hate myself\b|\bi can'?t do anything right\b|\bi'?m the worst\b|\bnot cut out for\b",
    r"\bi'?m (a )?(total |complete )?(failure|hopeless)\b",
    r"\bno one (will|would) ever (hire|want)\b|\bnobody (will|would) ever (hire|want)\b",
]

NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|"
    r"million|millions|billion|dozen|dozens|half|quarter|twice|double|doubled|triple|tripled|halved|percent|per cent"
)
NUMBER = re.compile(rf"\d|[%$£€]|\b({NUMBER_WORDS})\b", re.I)

# (pattern, weight): an element is present when its weights add up to STAR_PRESENT.
SITUATION = [
    (r"\b(at|in|during) my (last|previous|current|old|first|former|second|third|last two|summer) (\w+ )?(job|role|position|company|team|employer|internship|placement|year|shift|rotation)", 1.0),
    (r"\bwhen i was (a|an|at|working|in|on|the|leading|running|managing|still)\b", 1.0),
    (r"\bwhile (i was )?(working|at|on|leading|running|managing|studying|interning)\b", 0.8),
    (r"\b(i was|i worked as|i'm|i am|as) (a|an|the) (\w+ ){0,3}(at|for|in|on|with)\b", 0.8),
    (r"\b(last|this|that|one|a few|two|three|several) (year|month|week|quarter|semester|term|summer|winter|spring|autumn|fall|christmas|shift|night|sprint)s?\b", 0.6),
    (r"\b(two|three|four|five|\d+|a few|several|couple of) (years|months|weeks|christmases|summers) ago\b|\bago\b", 0.6),
    (r"\b(in|during|at) (20\d\d|19\d\d)\b", 0.6),
    (r"\bwhere i (was|worked|work|am|was working)\b", 0.8),
    (r"\b(at|in|for) (a|an) ([\w-]+ ){0,3}(company|firm|agency|startup|store|shop|hospital|school|centre|center|bank|broker|charity|restaurant|hotel|clinic|warehouse|factory|office|council|university|college|practice|brand|retailer|supermarket|nursery|cafe|bakery|chain)\b", 0.6),
    (r"\b(during|in|on) (a|an|my|our|the) (\w+ ){0,2}(project|internship|shift|placement|launch|migration|rollout|semester|audit|campaign|sprint|release|quarter|term)\b", 0.6),
    (r"\b(our|the|my) (team|company|store|ward|school|clinic|department|project|startup|agency|branch|office|unit|class|hospital|restaurant)\b", 0.3),
    (r"\b(a|one|the) (client|customer|colleague|coworker|co-worker|manager|patient|student|parent|stakeholder|vendor|supplier)s? (who|came|was|were|had|called|complained|wanted)\b", 0.4),
]
TASK = [
    (r"\bi was (the one )?(responsible|tasked|asked|assigned|in charge|hired|brought in|expected|supposed|given|told|charged)\b", 1.0),
    (r"\bmy (job|task|role|goal|responsibility|aim|objective|challenge|mission|brief|priority|assignment|part|target|remit|focus|duty) (was|is|became)\b", 1.0),
    # "my task as the analyst on the team was to ...": a short qualifier between noun and verb
    (r"\bmy (job|task|role|goal|responsibility|aim|objective|challenge|mission|brief|priority|assignment|part|remit|duty) (as|on|in|at|for|there|here)\b[^.?!]{0,40}? (was|became) to\b", 1.0),
    (r"\b(the|our) (goal|task|objective|challenge|aim|target|deadline|brief|priority|problem|mission) (was|is|became)\b", 0.8),
    (r"\bi (needed|had|wanted|was trying|tried|was determined|set out|decided it was my job) to\b", 0.7),
    (r"\b(we|i) (needed|had) to\b", 0.6),
    (r"\bit (was|fell) (up )?to me\b|\bit was my (job|call|responsibility)\b|\bfell to me\b", 1.0),
    (r"\b(i was|i'd been) (leading|running|managing|owning|handling|covering)\b", 0.6),
    (r"\b(owner|lead|point person) (of|for)\b", 0.5),
    (r"\b(manager|boss|lead|director|supervisor|client|head|principal|owner|team|customer)('s)? (\w+ )?(asked|wanted|needed|tasked|told|challenged|expected) me to\b", 1.0),
]
ACTION_VERBS = (
    r"built|created|organi[sz]ed|proposed|set up|wrote|rewrote|called|met|scheduled|designed|implemented|led|ran|started|"
    r"analy[sz]ed|reviewed|talked|spoke|asked|suggested|decided|contacted|reached out|pulled|trained|introduced|fixed|"
    r"negotiated|coordinated|prepared|presented|sat down|listened|explained|offered|checked|tested|automated|migrated|"
    r"moved|split|drafted|put together|went|made|took|gave|sent|emailed|arranged|gathered|interviewed|documented|"
    r"researched|mapped|prioriti[sz]ed|delegated|escalated|volunteered|launched|redesigned|reorgani[sz]ed|tracked|"
    r"measured|monitored|raised|flagged|apologi[sz]ed|refunded|found|identified|worked|brought|invited|shadowed|"
    r"learned|studied|practi[sc]ed|changed|replaced|cut|added|removed|pushed|persuaded|convinced|agreed|compromised|"
    r"rebuilt|restructured|ordered|phoned|visited|walked|showed|taught|coached|mentored|paired|shared|booked|created|"
    r"compared|calculated|modelled|modeled|wrote up|printed|used|borrowed|recruited|hired|ran|chased|followed up|"
    r"proposed|pitched|demoed|looked|dug|traced|rolled back|deployed|patched|paused|stopped|kept|held|grouped|labelled|"
    r"labeled|matched|rewrote|cleaned|standardi[sz]ed|simplified|consolidated|spent|stayed|focused|devised|drew|"
    r"reconciled|audited|updated|assigned|divided|called up|rang|messaged|texted|posted|filed|submitted|reworked|"
    r"piloted|trialled|trialed|asked for|volunteered|talked to|spoke to|met with|sat with|worked with|reached|built up|"
    r"opened|closed|connected|introduced|initiated|tackled|handled|managed|resolved|addressed|created|developed|"
    r"established|streamlined|refactored|wired|scripted|queried|benchmarked|profiled|interviewed|surveyed|"
    r"escalated|reassured|calmed|de-escalated|acknowledged|summari[sz]ed|clarified|documented|reorganised"
)
# Past-tense verbs that describe a state of mind, not something the candidate did.
NOT_ACTIONS = {
    "wanted", "needed", "liked", "loved", "hated", "hoped", "wished", "supposed", "guessed", "assumed", "believed",
    "seemed", "appeared", "realised", "realized", "noticed", "enjoyed", "preferred", "worried", "panicked",
    "struggled", "failed", "missed", "blamed", "regretted", "wondered", "considered", "expected", "owned",
    "tried", "used", "started", "decided", "imagined", "remembered", "forgot", "forgotten", "learned", "learnt",
    "agreed", "joined", "included", "received", "inherited", "felt", "thought", "knew", "had", "was", "did",
}
ACTION = re.compile(
    rf"\bi (?:\w+ly |then |also |first |quickly |immediately |personally |eventually |finally |just |had |have )?"
    rf"(?:(?:{ACTION_VERBS})\b|(?P<ed>[a-z-]{{3,}}ed)\b)",
    re.I,
)


def count_actions(text: str) -> int:
    return sum(1 for m in ACTION.finditer(text) if not (m.group("ed") and m.group("ed").lower() in NOT_ACTIONS))
RESULT = [
    (r"\b(as a result|in the end|ultimately|the result was|the outcome was|the result|the outcome|which meant|which led|that led|this led|resulting in|by the end|end result|in the following|the next (month|quarter|year|week))\b", 0.8),
    (r"\b(reduced|increased|improved|grew|boosted|doubled|halved|dropped|fell|rose|went (up|down)|shipped|launched|delivered|finished|completed|won|renewed|signed|closed|hit|met|exceeded|beat|passed|promoted|recogni[sz]ed|praised|thanked|adopted|resolved|saved|cut|came back|stayed|kept|recovered|succeeded|worked)\b", 0.3),
    (r"\b\d+(\.\d+)?\s?(%|percent|per cent)", 0.3),
    (r"\b(raised|saved|generated|brought in|earned|won|made|recovered|secured) (just |well )?(over |about |around |nearly |almost |more than )?[£$€]?\d", 0.6),
    (r"\bwhich (meant|led|allowed|let|gave|helped|paid|saved|made|resulted|cut|reduced|increased|freed|got)\b", 0.6),
    (r"\b(has|have|had) (\w+ )?since\b|\b(years?|months?|weeks?) since\b|\b(days|weeks|months|years) later\b", 0.6),
    (r"\b(the )?(results?|feedback|numbers|data|audit|review) (showed|came back|was|were)\b", 0.4),
    (r"\b(people|they|the team|everyone|customers|staff|students|patients|users) (stopped|started|began)\b", 0.5),
    (r"\b(manager|boss|client|customer|director|lead|they|she|he) (said|told me|told us|mentioned|wrote)\b", 0.3),
    (r"\b(later|afterwards|the next day|the following (day|week|month))\b|\b(been|came|come) back\b", 0.4),
    (r"\bfelt (much |a lot |far )?(more|less|better)\b|\bsold out\b|\bgot (him|her|them|it) back\b", 0.5),
    (r"\b(i|we) (learned|learnt|realised|realized)\b|\bwhat i learned\b|\bthe lesson\b", 0.5),
    (r"\b(was|were|felt) (happy|delighted|pleased|satisfied|grateful|relieved|impressed)\b", 0.5),
    (r"\b(since then|to this day|still (use|uses|using|in use)|from then on|now (we|the|our|it|she|he|they|i))\b", 0.6),
    (r"\b(on time|on budget|under budget|ahead of schedule)\b|\bzero\b", 0.5),
    (r"\b(was|were|went|came) (down|up|back) (to|from|by)\b|\b(down|up) from\b", 0.6),
    (r"\b(dropped|fell|rose|grew|climbed|shrank|jumped|doubled|tripled|halved|increased|decreased|reduced|improved) (\w+ ){0,2}(to|from|by)\b", 0.6),
    (r"\bafter (\w+ ){0,2}(weeks?|months?|days?|years?|quarters?|sprints?)\b|\bby (day|week|month) \d+\b", 0.5),
    (r"\b(within|in under|in less than) (an?|one|two|three|four|five|\d+|a few) (hours?|days?|weeks?|months?|minutes?)\b", 0.4),
    (r"\b(came back|went on to|ended up|rolled out|was adopted|got the job|got promoted|now (trains|runs|leads|uses|handles)|(i|we|she|he|they) now)\b", 0.5),
]


@dataclass(frozen=True)
class Analysis:
    question: str
    word_count: int
    behavioral: bool
    fillers: dict[str, int]
    hedges: dict[str, int]
    blames_others: list[str]
    self_blame: list[str]
    has_numbers: bool
    star: dict[str, float]
    star_present: dict[str, bool]
    relevance: float | None
    flags: list[str] = field(default_factory=list)

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    @property
    def hedge_count(self) -> int:
        return sum(self.hedges.values())

    def public(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("question")
        out["filler_count"] = self.filler_count
        out["hedge_count"] = self.hedge_count
        return out


def is_behavioral(question: str) -> bool:
    return bool(BEHAVIORAL.search(question or ""))


def _counts(patterns: dict[str, str], text: str) -> dict[str, int]:
    counts = {name: len(re.findall(p, text, re.I)) for name, p in patterns.items()}
    return {k: v for k, v in counts.items() if v}


def _phrases(patterns: list[str], text: str) -> list[str]:
    found = []
    for p in patterns:
        for m in re.finditer(p, text, re.I):
            found.append(m.group(0).strip())
    return found


def _score(cues: list[tuple[str, float]], text: str) -> float:
    total = 0.0
    for pattern, weight in cues:
        hits = len(re.findall(pattern, text, re.I))
        total += weight * min(hits, 2)
    return round(min(1.0, total), 2)


def without_fillers(text: str) -> str:
    """The answer with filler words removed, so "I, um, called" reads as "I called"."""
    for pattern in FILLERS.values():
        text = re.sub(pattern, " ", text, flags=re.I)
    text = re.sub(r"\s*,(\s*,)+", ",", text)
    text = re.sub(r"\b(i|we)\s*,\s*", r"\1 ", text, flags=re.I)
    return re.sub(r"\s{2,}", " ", text)


def star_scores(answer: str) -> dict[str, float]:
    answer = without_fillers(answer)
    actions = count_actions(answer)
    return {
        "situation": _score(SITUATION, answer),
        "task": _score(TASK, answer),
        "action": round(min(1.0, 0.5 * actions + (0.1 if actions >= 3 else 0)), 2),
        "result": _score(RESULT, answer),
    }


def normalise_answer(text: str) -> str:
    text = (text or "").replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)


def analyze(question: str, answer: str, relevance: float | None = None) -> Analysis:
    text = normalise_answer(answer)
    words = WORD.findall(text)
    wc = len(words)
    behavioral = is_behavioral(question)
    fillers = _counts(FILLERS, text)
    hedges = _counts(HEDGES, text)
    # "I think maybe" is one hedge, not two.
    blames = _phrases(BLAME, text)
    selfb = _phrases(SELF_BLAME, text)
    has_numbers = bool(NUMBER.search(text))
    star = star_scores(text)
    present = {k: v >= STAR_PRESENT for k, v in star.items()}

    flags: list[str] = []
    if behavioral:
        for element in ("situation", "task", "action", "result"):
            if not present[element]:
                flags.append(f"missing_{element}")
    filler_total = sum(fillers.values())
    if filler_total >= FILLER_MIN_COUNT and wc and filler_total * 100 / wc >= FILLER_MIN_RATE:
        flags.append("filler_heavy")
    if wc < MIN_WORDS:
        flags.append("too_short")
    if wc > MAX_WORDS:
        flags.append("too_long")
    if behavioral and not has_numbers:
        flags.append("no_numbers")
    if relevance is not None and relevance < OFF_TOPIC_BELOW:
        flags.append("off_topic")
    if blames:
        flags.append("blames_others")
    if selfb:
        flags.append("self_blame")
    if sum(hedges.values()) >= HEDGE_MIN_COUNT:
        flags.append("hedging")
    ordered = [f for f in FLAGS if f in flags]
    return Analysis(
        question=question,
        word_count=wc,
        behavioral=behavioral,
        fillers=fillers,
        hedges=hedges,
        blames_others=blames,
        self_blame=selfb,
        has_numbers=has_numbers,
        star=star,
        star_present=present,
        relevance=None if relevance is None else round(relevance, 4),
        flags=ordered,
    )
