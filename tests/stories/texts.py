"""Hand-written articles for the story tests: one story told as an original, a copy with other boilerplate, a
wire-style cut, a rewrite in other words (other number and date formats), and a neighbour on the same topic
with other facts; and an unrelated story."""

from __future__ import annotations

ORIGINAL = [
    "Coastguard officers boarded the refrigerated freighter Nordic Pearl off the port of Ostvik on 12 March 2024 "
    "and found forty tonnes of undeclared tobacco hidden behind crates of frozen fish.",
    "Investigators now say the raid exposed the Harbour Syndicate, a network that began inside Vestmark prison and "
    "today moves goods through at least five countries, according to a statement from the interior ministry.",
    "Its founder, a former dock foreman named Anton Kessler, escaped from custody in 2019. Prosecutors in Ostvik "
    "have offered a reward of $4.2m for information leading to his arrest.",
    "Customs records show that 17,300 containers passed through the network's three terminals last year, and "
    "seizures linked to it rose by 38% while arrests stayed almost flat.",
    "\"They behave less like a gang and more like a logistics company,\" said Helen Marsh, a criminologist at the "
    "University of Eastport who has studied the group since 2017.",
    "Ministers from five governments met in Brussels on Tuesday and agreed to share cargo inspection data with "
    "Ostvik's port authority, which employs 2,450 people.",
]

COPY = [*ORIGINAL, "Sign up for the Baltic Wire newsletter to get stories like this every morning.",
        "Copyright 2025 Baltic Wire. All rights reserved."]

CUT = ORIGINAL[:3]

REWRITE = [
    "On March 12, 2024, coast guard crews stopped the Nordic Pearl, a refrigerated cargo vessel, near Ostvik. "
    "Hidden behind boxes of frozen fish they discovered forty tonnes of tobacco that nobody had declared.",
    "That operation, investigators believe, brought the Harbour Syndicate into view. The ring started in "
    "Vestmark prison. It now ships contraband across five or more countries, the interior ministry says.",
    "Anton Kessler, who once ran a crew of dockers, founded it and fled custody in 2019. A $4.2 million bounty "
    "awaits anyone whose tip helps Ostvik prosecutors catch him.",
    "Last year 17 300 containers moved through the three terminals the ring controls, customs data indicate. "
    "Seizures tied to the group climbed 38 per cent; the number of arrests barely changed.",
    "Criminologist Helen Marsh of the University of Eastport, who has followed the syndicate since 2017, "
    "compares it to a freight business rather than a criminal gang.",
    "In Brussels this week, ministers of five states promised to pool inspection data with the Ostvik port "
    "authority and its 2 450 employees.",
]

NEIGHBOUR = [
    "Customs officers in the port of Lindhaven seized a shipment of counterfeit cigarettes hidden in a cargo of "
    "frozen vegetables on Friday, the second such discovery this winter.",
    "Officials said smuggling networks increasingly use refrigerated containers because inspections of frozen "
    "goods are slow, and that port workers are often paid to look away.",
    "The finance ministry estimates that tobacco smuggling costs the treasury about $90m a year. A spokesman, "
    "Jonas Berg, said 612 containers had been inspected since November.",
    "Prosecutors said three men had been charged and that the investigation into the gang behind the shipment "
    "was continuing with help from police in neighbouring countries.",
]

OTHER = [
    "The regional water authority confirmed on Monday that reservoir levels had fallen to their lowest point "
    "since records began in 1976, after the driest spring in half a century.",
    "Engineers said the main reservoir north of Greyfield held just 41 percent of its capacity, compared with "
    "an average of 71 percent for the time of year, and warned that restrictions could follow in July.",
    "Farmers in the Calder valley have already cut irrigation by a fifth, according to the agriculture union, "
    "which has asked the government for emergency support worth £12.5m.",
]


def text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)
