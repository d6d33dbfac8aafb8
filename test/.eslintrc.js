module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  testRules: {
    // `eventually(...)` retries a block of expectations until they hold.
    'jest/no-standalone-expect': ['error', { additionalTestBlockFunctions: ['eventually'] }],
    // A browser test asserts by waiting for what the user must see.
    'jest/expect-expect': ['warn', { assertFunctionNames: ['expect', '**.waitFor', 'eventually'] }],
  },
});
