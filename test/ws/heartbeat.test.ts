import { Heartbeat } from '../../src/ws/index.js';

describe('Heartbeat (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function setup(interval = 1000, timeout = 500) {
    const sendPing = jest.fn(() => true);
    const onTimeout = jest.fn();
    const onRoundTrip = jest.fn();
    const hb = new Heartbeat({ interval, timeout }, { sendPing, onTimeout, onRoundTrip });
    return { hb, sendPing, onTimeout, onRoundTrip };
  }

  it('detects a silent peer within interval + timeout', () => {
    const { hb, sendPing, onTimeout } = setup();
    hb.start();
    jest.advanceTimersByTime(999);
    expect(sendPing).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(sendPing).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(499);
    expect(onTimeout).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(10_000);
    expect(onTimeout).toHaveBeenCalledTimes(1); // stopped itself
  });

  it('a pong clears the deadline, records the round trip and schedules the next ping', () => {
    const { hb, sendPing, onTimeout, onRoundTrip } = setup();
    hb.start();
    jest.advanceTimersByTime(1000);
    jest.advanceTimersByTime(42);
    hb.pong();
    expect(onRoundTrip).toHaveBeenCalledWith(42);
    jest.advanceTimersByTime(999);
    expect(sendPing).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    expect(sendPing).toHaveBeenCalledTimes(2);
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('incoming messages count as liveness: a busy stream needs no ping', () => {
    const { hb, sendPing, onTimeout } = setup();
    hb.start();
    for (let i = 0; i < 50; i++) {
      jest.advanceTimersByTime(200);
      hb.alive(Date.now());
    }
    expect(sendPing).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1500);
    expect(sendPing).toHaveBeenCalledTimes(1);
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('stop() cancels everything', () => {
    const { hb, sendPing, onTimeout } = setup();
    hb.start();
    hb.stop();
    jest.advanceTimersByTime(10_000);
    expect(sendPing).not.toHaveBeenCalled();
    expect(onTimeout).not.toHaveBeenCalled();
  });
});
