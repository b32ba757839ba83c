/** Whether `p` settles (either way) within `ms`. */
export const settlesWithin = (p: Promise<unknown>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    p.then(
      () => true,
      () => true,
    ).then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => undefined,
    );
  });
