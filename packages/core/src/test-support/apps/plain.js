// A JavaScript app: loaded without tsx.
export const answer = 42;
