\ stage: nope
