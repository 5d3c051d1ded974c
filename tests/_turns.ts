// A turn of the event loop that only counts (the loop is offered a turn: a resolved promise),
// for the code that works in parts between turns (src/typed/client/slices.ts,
// src/client/message.ts).

/** A turn function and how many times it was called. */
export function countingTurn(): { turn: () => Promise<void> | null; turns: () => number } {
  let turns = 0;
  return {
    turn: () => {
      turns++;
      return Promise.resolve();
    },
    turns: () => turns,
  };
}
