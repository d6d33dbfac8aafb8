import {
  candidates,
  chooseDestination,
  scheduleWork,
  SchedulingDestination,
  SchedulingWork,
} from './schedule';
import { resolveSelectors, squashSelectors } from './selectors';

const DEFAULT = '5058f1af8388633f609cadb75a75dc9d';
const destinations: SchedulingDestination[] = [
  { name: 'dev-1', labels: { environment: 'dev' }, strictMatchLabels: false },
  { name: 'dev-2', labels: { environment: 'dev' }, strictMatchLabels: false },
  { name: 'pci', labels: { pci: 'true' }, strictMatchLabels: false },
  { name: 'prod', labels: { environment: 'prod' }, strictMatchLabels: false },
  { name: 'strict', labels: { strict: 'true' }, strictMatchLabels: true },
];
const dependency = (selectors = {}) => ({
  key: 'default/dep',
  isResource: false,
  groups: [{ id: DEFAULT, selectors }],
});
const resource = (selectors = {}) => ({
  key: 'default/rr-work-name',
  isResource: true,
  groups: [{ id: DEFAULT, selectors }],
});

describe('scheduling (semantics §5)', () => {
  it('vector 36: a dependency with no selectors goes everywhere but the strict Destination', () => {
    const d = scheduleWork(dependency(), destinations, []);
    expect(d.create.map(p => p.destination)).toEqual(['dev-1', 'dev-2', 'pci', 'prod']);
  });
  it('vector 37: a resource goes to exactly one match', () => {
    const d = scheduleWork(resource({ environment: 'dev' }), destinations, []);
    expect(d.create).toHaveLength(1);
    expect(['dev-1', 'dev-2']).toContain(d.create[0].destination);
    expect(d.create[0].groupId).toBe(DEFAULT);
  });
  it('chooses deterministically and independently of candidate order', () => {
    const a = scheduleWork(resource({ environment: 'dev' }), destinations, []).create[0]
      .destination;
    const b = scheduleWork(resource({ environment: 'dev' }), [...destinations].reverse(), [])
      .create[0].destination;
    expect(a).toBe(b);
    const spread = new Set(
      Array.from({ length: 40 }, (_, i) => chooseDestination(`ns/w${i}`, DEFAULT, ['a', 'b', 'c'])),
    );
    expect(spread).toEqual(new Set(['a', 'b', 'c']));
  });
  it('vector 38: promise selectors win over promise-workflow and resource-workflow', () => {
    const selector = resolveSelectors({
      promiseWorkflow: { environment: 'dev' },
      promise: { environment: 'prod' },
      resourceWorkflow: { environment: 'staging' },
    });
    expect(scheduleWork(resource(selector), destinations, []).create).toEqual([
      { groupId: DEFAULT, destination: 'prod' },
    ]);
  });
  it('vector 39: no match leaves the group pending', () => {
    const d = scheduleWork(dependency({ environment: 'non-matching' }), destinations, []);
    expect(d.create).toEqual([]);
    expect(d.unscheduled).toEqual([DEFAULT]);
  });
  it('vector 40: placements that stop matching are misplaced, not removed', () => {
    const existing = ['dev-1', 'dev-2', 'pci', 'prod'].map(destination => ({
      groupId: DEFAULT,
      destination,
    }));
    const d = scheduleWork(dependency({ environment: 'dev' }), destinations, existing);
    expect(d.create).toEqual([]);
    expect(d.misplaced.map(p => p.destination)).toEqual(['pci', 'prod']);
    expect(d.placed.map(p => p.destination)).toEqual(['dev-1', 'dev-2']);
  });
  it('vector 41: squashed selectors, first wins', () => {
    expect(squashSelectors([{ env: 'dev' }, { env: 'prod', zone: 'eu' }])).toEqual({
      env: 'dev',
      zone: 'eu',
    });
  });
  it('vector 42: a strict Destination with no labels still gets unlabelled work', () => {
    const d = scheduleWork(
      dependency(),
      [{ name: 'bare', labels: {}, strictMatchLabels: true }],
      [],
    );
    expect(d.create).toEqual([{ groupId: DEFAULT, destination: 'bare' }]);
  });
  it('a strict Destination is chosen when a selector matches it', () => {
    expect(candidates(destinations, { strict: 'true' }).map(d => d.name)).toEqual(['strict']);
  });
  it('never moves a resource, and flags it when its Destination stops matching', () => {
    const d = scheduleWork(resource({ environment: 'dev' }), destinations, [
      { groupId: DEFAULT, destination: 'prod' },
    ]);
    expect(d.create).toEqual([]);
    expect(d.misplaced).toEqual([{ groupId: DEFAULT, destination: 'prod' }]);
  });
  it('a pending resource is placed once a matching Destination appears', () => {
    expect(scheduleWork(resource({ environment: 'qa' }), destinations, []).unscheduled).toEqual([
      DEFAULT,
    ]);
    const more = [
      ...destinations,
      { name: 'qa', labels: { environment: 'qa' }, strictMatchLabels: false },
    ];
    expect(scheduleWork(resource({ environment: 'qa' }), more, []).create).toEqual([
      { groupId: DEFAULT, destination: 'qa' },
    ]);
  });
  it('a new matching Destination receives existing dependencies', () => {
    const existing = ['dev-1', 'dev-2'].map(destination => ({ groupId: DEFAULT, destination }));
    const more = [
      ...destinations,
      { name: 'dev-3', labels: { environment: 'dev' }, strictMatchLabels: false },
    ];
    expect(scheduleWork(dependency({ environment: 'dev' }), more, existing).create).toEqual([
      { groupId: DEFAULT, destination: 'dev-3' },
    ]);
  });
  it('schedules each workload group with its own selectors', () => {
    const work: SchedulingWork = {
      key: 'default/tf',
      isResource: true,
      groups: [
        { id: DEFAULT, selectors: { environment: 'dev' } },
        { id: 'abc', selectors: { pci: 'true' } },
      ],
    };
    const d = scheduleWork(work, destinations, []);
    expect(d.create.find(p => p.groupId === 'abc')).toEqual({ groupId: 'abc', destination: 'pci' });
  });
  it('reports placements of groups the work no longer has', () => {
    expect(
      scheduleWork(dependency(), destinations, [{ groupId: 'gone', destination: 'dev-1' }])
        .orphaned,
    ).toEqual([{ groupId: 'gone', destination: 'dev-1' }]);
  });
  it('skips dry-run Destinations', () => {
    expect(
      candidates(
        [{ name: 'd', labels: { 'kratix.io/dry-run': 'true' }, strictMatchLabels: false }],
        {},
      ),
    ).toEqual([]);
  });
});
