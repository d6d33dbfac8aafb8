import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Schedule a resource to one Destination labelled environment=dev',
    example: yaml.stringify({
      steps: [
        {
          id: 'render',
          action: 'fetch:template',
          input: {
            url: './skeleton',
            targetPath: './manifests',
            values: { name: '${{ parameters.name }}' },
          },
        },
        {
          id: 'schedule',
          action: 'kratix:schedule',
          input: {
            promise: 'namespace',
            resource: '${{ parameters.name }}',
            sourcePath: './manifests',
            destinationSelectors: { environment: 'dev' },
          },
        },
      ],
    }),
  },
  {
    description: 'Schedule a dependency (CRDs) to every Destination',
    example: yaml.stringify({
      steps: [
        {
          id: 'schedule',
          action: 'kratix:schedule',
          input: { promise: 'widgets', pipeline: 'install-crds', sourcePath: './crds' },
        },
      ],
    }),
  },
  {
    description: 'Send the terraform/ directory only to Destinations labelled for Terraform',
    example: yaml.stringify({
      steps: [
        {
          id: 'schedule',
          action: 'kratix:schedule',
          input: {
            promise: 'database',
            resource: 'orders-db',
            sourcePath: './output',
            destinationSelectors: { environment: 'dev' },
            workloadGroups: [
              { directory: 'terraform', destinationSelectors: { terraform: 'enabled' } },
            ],
          },
        },
      ],
    }),
  },
];
