-- The learning catalog (the seed's CATEGORY_BLUEPRINTS): categories, courses and popular videos.
-- Provider URLs follow each provider's real URL pattern; video ids could not be checked offline.

-- ---------------------------------------------------------------------------
-- Categories
-- ---------------------------------------------------------------------------
INSERT INTO app.categories (id, name, description, icon, accent) VALUES
  ('ai',          'AI · 머신러닝',        '생성형 AI 활용부터 머신러닝·딥러닝 모델 개발까지 인공지능의 핵심을 배웁니다.', '🤖', '#6C5CE7'),
  ('data',        '데이터 분석',          'SQL, 파이썬, 시각화 도구로 데이터에서 의사결정에 필요한 인사이트를 찾는 법을 익힙니다.', '📊', '#0066CC'),
  ('cloud',       '클라우드',             'AWS, GCP, Azure와 컨테이너 기술로 서비스를 안정적으로 배포하고 운영하는 방법을 배웁니다.', '☁️', '#00838F'),
  ('programming', '프로그래밍',           '파이썬, 자바스크립트, 자바 등 실무에서 많이 쓰는 언어로 코딩의 기초부터 실전 개발까지 다룹니다.', '💻', '#2D3436'),
  ('design',      '디자인',               'UI/UX, 피그마, 브랜딩과 영상 편집까지 일과 부업에 바로 쓰는 디자인 역량을 키웁니다.', '🎨', '#C2255C'),
  ('business',    '비즈니스 · 마케팅',    '퍼포먼스 마케팅, 기획, 브랜딩 등 성과를 만드는 비즈니스 실무 역량을 배웁니다.', '📈', '#C2410C'),
  ('languages',   '외국어',               '비즈니스 영어, 일본어, 중국어 등 업무와 여행에 필요한 외국어 실력을 꾸준히 키웁니다.', '🌏', '#237A36'),
  ('finance',     '재테크 · 금융',        '예산 관리, 주식·ETF 투자, 연말정산과 부동산까지 돈 관리의 기본기를 다집니다.', '💰', '#9C6500'),
  ('career',      '커리어 · 자기계발',    '이력서, 면접, 업무 생산성과 리더십으로 다음 커리어 단계를 준비합니다.', '🚀', '#C92A2A'),
  ('security',    '정보보안',             '개인정보 보호부터 웹 해킹 대응과 보안 자격증까지 안전한 IT 환경을 만드는 법을 배웁니다.', '🔐', '#1B4965')
ON CONFLICT (id) DO NOTHING;

-- ---------------------------------------------------------------------------
-- Courses
-- ---------------------------------------------------------------------------

-- AI · 머신러닝
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('ai-101',               'ai', '모두를 위한 AI (AI For Everyone)',                      '코세라 Coursera',  '4주 (주 2시간)',  'beginner',     'https://www.coursera.org/learn/ai-for-everyone'),
  ('ai-chatgpt-work',      'ai', '업무 효율을 높이는 ChatGPT 프롬프트 엔지니어링',         '인프런',           '6시간',           'beginner',     'https://www.inflearn.com/course/chatgpt-prompt-engineering-업무활용'),
  ('ai-ml-specialization', 'ai', '머신러닝 특화 과정 (Machine Learning Specialization)',   '코세라 Coursera',  '3개월 (주 9시간)', 'intermediate', 'https://www.coursera.org/specializations/machine-learning-introduction'),
  ('ai-sklearn-basics',    'ai', '파이썬 머신러닝 완벽 가이드 (scikit-learn)',             '인프런',           '46시간',          'intermediate', 'https://www.inflearn.com/course/파이썬-머신러닝-완벽가이드'),
  ('ai-deep-learning',     'ai', '딥러닝 특화 과정 (Deep Learning Specialization)',         '코세라 Coursera',  '5개월 (주 6시간)', 'advanced',     'https://www.coursera.org/specializations/deep-learning'),
  ('ai-pytorch-cv',        'ai', 'PyTorch로 배우는 컴퓨터 비전 실전',                      '패스트캠퍼스',     '38시간',          'advanced',     'https://fastcampus.co.kr/data_online_pytorchcv'),
  ('ai-llm-rag',           'ai', 'LangChain으로 만드는 LLM·RAG 애플리케이션',              '유데미 Udemy',     '14시간',          'advanced',     'https://www.udemy.com/course/langchain-llm-rag-korean/'),
  ('ai-kmooc-intro',       'ai', '인공지능의 이해',                                        'K-MOOC',           '8주',             'beginner',     'https://www.kmooc.kr/view/course/detail/10371')
ON CONFLICT (id) DO NOTHING;

-- 데이터 분석
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('data-sql-basics',        'data', '데이터 분석을 위한 SQL 첫걸음',                       '부스트코스',       '4주 (주 3시간)',  'beginner',     'https://www.boostcourse.org/ds102'),
  ('data-pandas-intro',      'data', '파이썬으로 시작하는 데이터 분석 (pandas)',            '인프런',           '12시간',          'beginner',     'https://www.inflearn.com/course/파이썬-데이터분석-pandas-입문'),
  ('data-google-analytics',  'data', 'Google 데이터 분석 전문가 자격증 과정',               '코세라 Coursera',  '6개월 (주 10시간)', 'beginner',   'https://www.coursera.org/professional-certificates/google-data-analytics'),
  ('data-excel-dashboard',   'data', '실무 엑셀 데이터 분석과 대시보드 만들기',             '클래스101',        '9시간',           'beginner',     'https://class101.net/ko/products/excel-data-dashboard'),
  ('data-tableau',           'data', 'Tableau로 배우는 데이터 시각화 실전',                 '유데미 Udemy',     '15시간',          'intermediate', 'https://www.udemy.com/course/tableau-data-visualization-korean/'),
  ('data-stats-ab-test',     'data', '실무 통계와 A/B 테스트 설계',                         '패스트캠퍼스',     '24시간',          'intermediate', 'https://fastcampus.co.kr/data_online_abtest'),
  ('data-sql-advanced',      'data', '윈도우 함수와 쿼리 최적화로 끝내는 고급 SQL',         '인프런',           '10시간',          'advanced',     'https://www.inflearn.com/course/고급-sql-윈도우함수-쿼리최적화'),
  ('data-engineering-spark', 'data', 'Apache Spark와 Airflow로 만드는 데이터 파이프라인',   '패스트캠퍼스',     '40시간',          'advanced',     'https://fastcampus.co.kr/data_online_dataengineering')
ON CONFLICT (id) DO NOTHING;

-- 클라우드
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('cloud-aws-practitioner', 'cloud', 'AWS Cloud Practitioner Essentials (한국어)',          'AWS Skill Builder',           '6시간',           'beginner',     'https://explore.skillbuilder.aws/learn/course/external/view/elearning/134/aws-cloud-practitioner-essentials'),
  ('cloud-basics-goorm',     'cloud', '비전공자를 위한 클라우드 컴퓨팅 입문',               '구름EDU',                     '8시간',           'beginner',     'https://edu.goorm.io/lecture/cloud-computing-basic'),
  ('cloud-gcp-fundamentals', 'cloud', 'Google Cloud Fundamentals: Core Infrastructure',      'Google Cloud Skills Boost',   '7시간',           'beginner',     'https://www.cloudskillsboost.google/course_templates/60'),
  ('cloud-aws-saa',          'cloud', 'AWS Certified Solutions Architect – Associate 합격 과정', '유데미 Udemy',            '27시간',          'intermediate', 'https://www.udemy.com/course/aws-certified-solutions-architect-associate-korean/'),
  ('cloud-docker-k8s',       'cloud', '도커와 쿠버네티스 기초부터 배포까지',                '인프런',                      '18시간',          'intermediate', 'https://www.inflearn.com/course/도커-쿠버네티스-기초-배포'),
  ('cloud-terraform',        'cloud', 'Terraform으로 시작하는 인프라 자동화 (IaC)',         '패스트캠퍼스',                '20시간',          'intermediate', 'https://fastcampus.co.kr/dev_online_terraform'),
  ('cloud-k8s-cka',          'cloud', 'CKA 자격증 대비 쿠버네티스 클러스터 운영',           '유데미 Udemy',                '22시간',          'advanced',     'https://www.udemy.com/course/certified-kubernetes-administrator-cka-korean/'),
  ('cloud-azure-az900',      'cloud', 'Microsoft Azure Fundamentals (AZ-900) 준비',         'edX',                         '4주 (주 3시간)',  'beginner',     'https://www.edx.org/learn/azure/microsoft-azure-fundamentals')
ON CONFLICT (id) DO NOTHING;

-- 프로그래밍
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('prog-python-basics',   'programming', '생활코딩 Python 입문',                              '생활코딩',         '10시간',          'beginner',     'https://opentutorials.org/course/4769'),
  ('prog-web-html-css',    'programming', 'HTML·CSS로 나만의 웹사이트 만들기',                 '부스트코스',       '4주 (주 4시간)',  'beginner',     'https://www.boostcourse.org/cs120'),
  ('prog-js-vanilla',      'programming', '바닐라 JS로 크롬 앱 만들기',                        '노마드코더',       '2주',             'beginner',     'https://nomadcoders.co/javascript-for-beginners'),
  ('prog-cs50',            'programming', 'CS50''s Introduction to Computer Science',          'edX',              '11주 (주 8시간)', 'beginner',     'https://www.edx.org/learn/computer-science/harvard-university-cs50-s-introduction-to-computer-science'),
  ('prog-react-clone',     'programming', 'React로 만드는 실전 웹 서비스 클론 코딩',           '노마드코더',       '6주',             'intermediate', 'https://nomadcoders.co/react-masterclass'),
  ('prog-java-spring',     'programming', '스프링 입문 - 코드로 배우는 스프링 부트, 웹 MVC, DB 접근 기술', '인프런', '6시간',         'intermediate', 'https://www.inflearn.com/course/스프링-입문-스프링부트'),
  ('prog-algorithms',      'programming', '코딩 테스트 합격을 위한 알고리즘과 자료구조',       '패스트캠퍼스',     '35시간',          'intermediate', 'https://fastcampus.co.kr/dev_online_codingtest'),
  ('prog-system-design',   'programming', '대규모 서비스를 위한 시스템 디자인',                '유데미 Udemy',     '16시간',          'advanced',     'https://www.udemy.com/course/system-design-for-large-scale-services-korean/')
ON CONFLICT (id) DO NOTHING;

-- 디자인
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('design-figma-basics',   'design', '피그마(Figma) 왕초보부터 실무까지',                 '클래스101',        '8시간',           'beginner',     'https://class101.net/ko/products/figma-from-zero'),
  ('design-ux-google',      'design', 'Google UX 디자인 전문가 자격증 과정',               '코세라 Coursera',  '6개월 (주 10시간)', 'beginner',   'https://www.coursera.org/professional-certificates/google-ux-design'),
  ('design-photoshop',      'design', '포토샵으로 배우는 상세페이지·SNS 콘텐츠 디자인',   '클래스101',        '7시간',           'beginner',     'https://class101.net/ko/products/photoshop-detail-page'),
  ('design-uiux-portfolio', 'design', 'UI/UX 디자이너 포트폴리오 완성 과정',               '패스트캠퍼스',     '30시간',          'intermediate', 'https://fastcampus.co.kr/design_online_uiuxportfolio'),
  ('design-design-system',  'design', '피그마로 구축하는 디자인 시스템',                   '인프런',           '9시간',           'intermediate', 'https://www.inflearn.com/course/피그마-디자인시스템-구축'),
  ('design-premiere',       'design', '유튜브 영상 편집 프리미어 프로 완성',               '유데미 Udemy',     '11시간',          'beginner',     'https://www.udemy.com/course/premiere-pro-youtube-editing-korean/'),
  ('design-motion-ae',      'design', '애프터 이펙트 모션 그래픽 심화',                    '패스트캠퍼스',     '26시간',          'advanced',     'https://fastcampus.co.kr/design_online_aftereffects'),
  ('design-branding',       'design', '브랜드 아이덴티티 디자인: 로고부터 가이드라인까지', '클래스101',        '10시간',          'intermediate', 'https://class101.net/ko/products/brand-identity-design')
ON CONFLICT (id) DO NOTHING;

-- 비즈니스 · 마케팅
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('biz-digital-marketing', 'business', 'Google 디지털 마케팅 & 이커머스 자격증 과정',     '코세라 Coursera',  '6개월 (주 10시간)', 'beginner',   'https://www.coursera.org/professional-certificates/google-digital-marketing-ecommerce'),
  ('biz-instagram-brand',   'business', '인스타그램으로 시작하는 개인 브랜딩',             '클래스101',        '6시간',           'beginner',     'https://class101.net/ko/products/instagram-personal-branding'),
  ('biz-service-planning',  'business', '서비스 기획 입문: 와이어프레임과 기획서 작성',     '부스트코스',       '5주 (주 3시간)',  'beginner',     'https://www.boostcourse.org/bm101'),
  ('biz-performance-ads',   'business', '메타·구글 광고로 배우는 퍼포먼스 마케팅',         '패스트캠퍼스',     '28시간',          'intermediate', 'https://fastcampus.co.kr/biz_online_performance'),
  ('biz-ga4',               'business', 'GA4로 하는 마케팅 데이터 분석',                   '인프런',           '8시간',           'intermediate', 'https://www.inflearn.com/course/ga4-마케팅-데이터분석'),
  ('biz-pm-product',        'business', '프로덕트 매니저(PM) 실무: 지표 설계와 로드맵',    '유데미 Udemy',     '12시간',          'intermediate', 'https://www.udemy.com/course/product-manager-metrics-roadmap-korean/'),
  ('biz-strategy-wharton',  'business', 'Business Strategy Specialization (Wharton)',      '코세라 Coursera',  '4개월 (주 4시간)', 'advanced',    'https://www.coursera.org/specializations/wharton-business-strategy'),
  ('biz-smartstore',        'business', '스마트스토어 창업과 매출 성장 전략',              '클래스101',        '9시간',           'beginner',     'https://class101.net/ko/products/smartstore-startup-growth')
ON CONFLICT (id) DO NOTHING;

-- 외국어
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('lang-eng-speaking',      'languages', '영어 쓰는 법: 직장인 왕초보 영어 회화',           '클래스101',        '8주',             'beginner',     'https://class101.net/ko/products/english-speaking-beginner'),
  ('lang-business-email',    'languages', '실무에서 바로 쓰는 비즈니스 영어 이메일',         '유데미 Udemy',     '5시간',           'intermediate', 'https://www.udemy.com/course/business-english-email-korean/'),
  ('lang-learning-how',      'languages', 'Learning How to Learn (외국어 학습에 강한 공부법)', '코세라 Coursera', '4주 (주 3시간)',  'beginner',     'https://www.coursera.org/learn/learning-how-to-learn'),
  ('lang-opic-ih',           'languages', 'OPIc IH 달성 전략 과정',                          '패스트캠퍼스',     '15시간',          'intermediate', 'https://fastcampus.co.kr/lang_online_opic'),
  ('lang-japanese-n3',       'languages', 'JLPT N3 합격 일본어 문법과 독해',                 '인프런',           '20시간',          'intermediate', 'https://www.inflearn.com/course/jlpt-n3-일본어-문법-독해'),
  ('lang-chinese-basic',     'languages', '기초 중국어 회화와 발음',                         'K-MOOC',           '10주',            'beginner',     'https://www.kmooc.kr/view/course/detail/9821'),
  ('lang-eng-presentation',  'languages', '영어 프레젠테이션과 회의 진행 실전',              'edX',              '6주 (주 3시간)',  'advanced',     'https://www.edx.org/learn/english/english-for-business-presentations'),
  ('lang-spanish-basics',    'languages', '여행 스페인어 기초',                              '클래스101',        '6시간',           'beginner',     'https://class101.net/ko/products/travel-spanish-basics')
ON CONFLICT (id) DO NOTHING;

-- 재테크 · 금융
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('fin-money-basics',      'finance', '사회초년생을 위한 월급 관리와 통장 쪼개기',        '클래스101',        '5시간',           'beginner',     'https://class101.net/ko/products/salary-budget-basics'),
  ('fin-etf-investing',     'finance', 'ETF로 시작하는 장기 분산 투자',                    '클래스101',        '7시간',           'beginner',     'https://class101.net/ko/products/etf-long-term-investing'),
  ('fin-tax-yearend',       'finance', '직장인 연말정산·절세 완전 정복',                   '인프런',           '4시간',           'beginner',     'https://www.inflearn.com/course/직장인-연말정산-절세'),
  ('fin-financial-markets', 'finance', 'Financial Markets (Yale, Robert Shiller)',         '코세라 Coursera',  '7주 (주 5시간)',  'intermediate', 'https://www.coursera.org/learn/financial-markets-global'),
  ('fin-statement-reading', 'finance', '재무제표 읽는 법과 기업 가치 평가',                '패스트캠퍼스',     '18시간',          'intermediate', 'https://fastcampus.co.kr/fin_online_valuation'),
  ('fin-real-estate',       'finance', '내 집 마련을 위한 부동산 기초와 청약 전략',        '클래스101',        '8시간',           'beginner',     'https://class101.net/ko/products/real-estate-first-home'),
  ('fin-quant-python',      'finance', '파이썬으로 배우는 퀀트 투자 백테스팅',             '인프런',           '16시간',          'advanced',     'https://www.inflearn.com/course/파이썬-퀀트투자-백테스팅'),
  ('fin-kmooc-economics',   'finance', '생활 속의 경제와 금융 이해',                       'K-MOOC',           '12주',            'beginner',     'https://www.kmooc.kr/view/course/detail/10612')
ON CONFLICT (id) DO NOTHING;

-- 커리어 · 자기계발
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('career-resume',         'career', '합격하는 이력서와 경력기술서 작성법',               '인프런',           '4시간',           'beginner',     'https://www.inflearn.com/course/이력서-경력기술서-작성법'),
  ('career-interview',      'career', '이직 면접 완전 정복: 구조화 답변과 모의 면접',      '클래스101',        '6시간',           'beginner',     'https://class101.net/ko/products/job-interview-mastery'),
  ('career-notion',         'career', '노션(Notion)으로 만드는 업무 생산성 시스템',         '유데미 Udemy',     '5시간',           'beginner',     'https://www.udemy.com/course/notion-productivity-system-korean/'),
  ('career-excel-work',     'career', '직장인 필수 엑셀 함수와 피벗 테이블',               '구름EDU',          '10시간',          'beginner',     'https://edu.goorm.io/lecture/excel-for-office-workers'),
  ('career-communication',  'career', '일 잘하는 사람의 보고서 작성과 커뮤니케이션',        '패스트캠퍼스',     '12시간',          'intermediate', 'https://fastcampus.co.kr/biz_online_reportwriting'),
  ('career-leadership',     'career', '처음 팀장이 된 당신을 위한 리더십',                 '코세라 Coursera',  '4주 (주 3시간)',  'intermediate', 'https://www.coursera.org/learn/leading-teams'),
  ('career-negotiation',    'career', 'Successful Negotiation: Essential Strategies and Skills', '코세라 Coursera', '6주 (주 3시간)', 'advanced', 'https://www.coursera.org/learn/negotiation-skills')
ON CONFLICT (id) DO NOTHING;

-- 정보보안
INSERT INTO app.courses (id, category_id, title, provider, duration, level, url) VALUES
  ('sec-basics',            'security', '누구나 알아야 할 개인정보 보호와 보안 수칙',      'K-MOOC',           '6주',             'beginner',     'https://www.kmooc.kr/view/course/detail/10245'),
  ('sec-google-cyber',      'security', 'Google 사이버 보안 전문가 자격증 과정',           '코세라 Coursera',  '6개월 (주 8시간)', 'beginner',    'https://www.coursera.org/professional-certificates/google-cybersecurity'),
  ('sec-network-basics',    'security', '보안을 위한 네트워크 기초 (TCP/IP)',              '구름EDU',          '12시간',          'beginner',     'https://edu.goorm.io/lecture/network-security-basics'),
  ('sec-web-hacking',       'security', 'OWASP Top 10으로 배우는 웹 해킹과 방어',          '인프런',           '14시간',          'intermediate', 'https://www.inflearn.com/course/owasp-top10-웹해킹-방어'),
  ('sec-engineer-cert',     'security', '정보보안기사 필기·실기 대비 과정',                '패스트캠퍼스',     '45시간',          'intermediate', 'https://fastcampus.co.kr/dev_online_infosec'),
  ('sec-cloud-security',    'security', 'AWS 클라우드 보안 실전 (Security Specialty 대비)', 'AWS Skill Builder', '15시간',        'advanced',     'https://explore.skillbuilder.aws/learn/course/external/view/elearning/1924/aws-security-best-practices'),
  ('sec-pentest',           'security', '모의해킹 실무: 침투 테스트 방법론',               '유데미 Udemy',     '20시간',          'advanced',     'https://www.udemy.com/course/penetration-testing-methodology-korean/')
ON CONFLICT (id) DO NOTHING;

-- ---------------------------------------------------------------------------
-- Popular videos
-- ---------------------------------------------------------------------------
INSERT INTO app.videos (id, category_id, title, channel, url) VALUES
  ('ai-v1',          'ai',          'But what is a neural network? | Deep learning chapter 1',  '3Blue1Brown',              'https://www.youtube.com/watch?v=aircAruvnKk'),
  ('ai-v2',          'ai',          '비전공자도 이해하는 인공지능, 머신러닝, 딥러닝 차이',        '조코딩 JoCoding',          'https://www.youtube.com/watch?v=Pp3mK7Qa9xE'),
  ('ai-v3',          'ai',          'Gradient Descent, Step-by-Step',                          'StatQuest with Josh Starmer', 'https://www.youtube.com/watch?v=sDv4f4s2SB8'),
  ('ai-v4',          'ai',          'ChatGPT 업무 활용법 총정리 (프롬프트 작성 팁)',             '일잘러 장피엠',            'https://www.youtube.com/watch?v=Xk2nR8vLqT4'),

  ('data-v1',        'data',        'SQL Tutorial - Full Database Course for Beginners',       'freeCodeCamp.org',         'https://www.youtube.com/watch?v=HXV3zeQKqGY'),
  ('data-v2',        'data',        '데이터 분석가는 실제로 무슨 일을 할까?',                   '데이터리안',               'https://www.youtube.com/watch?v=Qd7mT3wZp1c'),
  ('data-v3',        'data',        'p-values: What they are and how to interpret them',       'StatQuest with Josh Starmer', 'https://www.youtube.com/watch?v=vemZtEM63GY'),
  ('data-v4',        'data',        '판다스(pandas) 30분 만에 끝내기',                          '나도코딩',                 'https://www.youtube.com/watch?v=Ym8aL2nWcR0'),

  ('cloud-v1',       'cloud',       '클라우드 컴퓨팅이란? AWS 핵심 서비스 한 번에 정리',         '생활코딩',                 'https://www.youtube.com/watch?v=Lt3sV9qKpD2'),
  ('cloud-v2',       'cloud',       'Docker Tutorial for Beginners',                           'TechWorld with Nana',      'https://www.youtube.com/watch?v=3c-iBn73dDE'),
  ('cloud-v3',       'cloud',       '쿠버네티스, 이 영상 하나로 개념 잡기',                      '드림코딩',                 'https://www.youtube.com/watch?v=Wb7kP4xNq8M'),
  ('cloud-v4',       'cloud',       'AWS Certified Cloud Practitioner Training',               'freeCodeCamp.org',         'https://www.youtube.com/watch?v=SOTamWNgDKc'),

  ('programming-v1', 'programming', 'Learn Python - Full Course for Beginners',                'freeCodeCamp.org',         'https://www.youtube.com/watch?v=rfscVS0vtbw'),
  ('programming-v2', 'programming', '프로그래밍 공부 순서, 이대로만 하세요',                    '노마드 코더 Nomad Coders', 'https://www.youtube.com/watch?v=Fk8rT2mVx6Q'),
  ('programming-v3', 'programming', '자바스크립트 기초 강의 (ES6+) 1편',                        '드림코딩',                 'https://www.youtube.com/watch?v=wcsVjmHrUQg'),
  ('programming-v4', 'programming', '파이썬 코딩 무료 강의 (기본편) - 6시간 뒤면 나도 개발자',  '나도코딩',                 'https://www.youtube.com/watch?v=kWiCuklohdY'),

  ('design-v1',      'design',      '피그마 기초 강의: 30분 만에 앱 화면 만들기',               '디자인하는 개발자',        'https://www.youtube.com/watch?v=Hn4cZ7pRw2K'),
  ('design-v2',      'design',      'UX 디자이너는 무슨 일을 할까? 현직자 인터뷰',              '요즘IT',                   'https://www.youtube.com/watch?v=Vq9sL3dNx5A'),
  ('design-v3',      'design',      'The Principles of Design',                                'Flux Academy',             'https://www.youtube.com/watch?v=9EPTM91TBDU'),
  ('design-v4',      'design',      '프리미어 프로 왕초보 유튜브 편집 강좌',                     '비디오몬스터',             'https://www.youtube.com/watch?v=Rj6mW8tZc3Y'),

  ('business-v1',    'business',    '마케팅 입문자가 꼭 알아야 할 퍼널과 지표',                  '일잘러 장피엠',            'https://www.youtube.com/watch?v=Mc2nX7qLp4S'),
  ('business-v2',    'business',    'How great leaders inspire action',                        'TED',                      'https://www.youtube.com/watch?v=qp0HIF3SfI4'),
  ('business-v3',    'business',    '잘 되는 브랜드는 무엇이 다를까? 브랜딩의 본질',             '스터디언',                 'https://www.youtube.com/watch?v=Bd5tK9wRm1J'),
  ('business-v4',    'business',    '요즘 뜨는 비즈니스 트렌드 총정리',                          '슈카월드',                 'https://www.youtube.com/watch?v=Tz8pN4vHq6E'),

  ('languages-v1',   'languages',   '원어민이 매일 쓰는 영어 표현 30개',                         '영어 쓰는 법',             'https://www.youtube.com/watch?v=Ep3kW6nZr8D'),
  ('languages-v2',   'languages',   '회사에서 바로 쓰는 비즈니스 영어 회화',                     '올리버쌤',                 'https://www.youtube.com/watch?v=Gv7mQ2xLt5N'),
  ('languages-v3',   'languages',   '일본어 히라가나 가타카나 한 번에 외우기',                   '유이뽕 일본어',            'https://www.youtube.com/watch?v=Jh4rP9cWk2B'),
  ('languages-v4',   'languages',   'How to learn any language in six months',                 'TEDx Talks',               'https://www.youtube.com/watch?v=d0yGdNEWdn0'),

  ('finance-v1',     'finance',     '사회초년생 돈 모으는 법, 이것부터 시작하세요',              '슈카월드',                 'https://www.youtube.com/watch?v=Fq6nT3wLx9R'),
  ('finance-v2',     'finance',     'ETF 투자, 처음이라면 이 영상부터',                          '삼프로TV',                 'https://www.youtube.com/watch?v=Kp2vM8zRq4W'),
  ('finance-v3',     'finance',     'How The Economic Machine Works by Ray Dalio',              'Principles by Ray Dalio',  'https://www.youtube.com/watch?v=PHe0bXAIuk0'),
  ('finance-v4',     'finance',     '직장인 연말정산 13월의 월급 받는 법',                       '신사임당',                 'https://www.youtube.com/watch?v=Nw5cH7pTz3K'),

  ('career-v1',      'career',      '이직 잘하는 사람들의 이력서 특징',                          '요즘IT',                   'https://www.youtube.com/watch?v=Cr8kZ2mQv6T'),
  ('career-v2',      'career',      'Inside the mind of a master procrastinator',              'TED',                      'https://www.youtube.com/watch?v=arj7oStGLkU'),
  ('career-v3',      'career',      '일 잘하는 사람의 노션 활용법',                              '드로우앤드류',             'https://www.youtube.com/watch?v=Lm4xR7nWq1P'),
  ('career-v4',      'career',      '면접에서 절대 떨어지지 않는 답변 구조',                     '면접왕 이형',              'https://www.youtube.com/watch?v=Hs9pV3tKc5M'),

  ('security-v1',    'security',    '해커는 어떻게 비밀번호를 알아낼까?',                        '드림코딩',                 'https://www.youtube.com/watch?v=Zq3wN8rLm7D'),
  ('security-v2',    'security',    'Ethical Hacking in 15 Hours - Beginner Course',           'The Cyber Mentor',         'https://www.youtube.com/watch?v=3FNYvj2U0HM'),
  ('security-v3',    'security',    '정보보안 직무, 어떻게 준비해야 할까?',                       '널널한 개발자 TV',         'https://www.youtube.com/watch?v=Tk6cX2vPq9B'),
  ('security-v4',    'security',    'Cybersecurity Architecture: Five Principles to Follow',   'IBM Technology',           'https://www.youtube.com/watch?v=jq_LZ1RFPfU')
ON CONFLICT (id) DO NOTHING;

