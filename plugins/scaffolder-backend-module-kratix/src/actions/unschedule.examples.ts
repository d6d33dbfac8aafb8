import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Remove a resource scheduled by the "create-namespace" template',
    example: yaml.stringify({
      steps: [
        {
          id: 'unschedule',
          action: 'kratix:unschedule',
          input: {
            promise: 'namespace',
            resource: '${{ parameters.name }}',
            pipeline: 'create-namespace',
          },
        },
      ],
    }),
  },
];
